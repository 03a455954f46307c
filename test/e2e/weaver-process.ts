// Running the real `weaver` CLI in child processes for end-to-end tests: `start` as a long-running process
// whose JSON log lines we can wait for, one-shot commands with their exit code and output, and a look at
// /proc for anything left behind. Every child started here is killed by killAllWeavers() (call it in afterAll).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../runtime/cli/main.ts', import.meta.url));

/** The environment without any Weaver or database setting of the developer's, plus `env`. No demo seed (~30 s) unless `env` asks. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WEAVER_') && k !== 'DATABASE_URL'));
  return { ...base, WEAVER_LOG_FORMAT: 'json', WEAVER_LOG_LEVEL: 'info', WEAVER_DEMO_DATA: 'false', ...env };
}

export interface LogLine {
  readonly msg?: string;
  readonly level?: number;
  readonly [key: string]: unknown;
}

export interface WeaverProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly lines: LogLine[];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  /** Everything it wrote to stderr so far (for failure messages). */
  stderr(): string;
}

const live = new Set<ChildProcess>();

/** `weaver start` (Node 24 = the Node running the tests), stdin closed, JSON logs on stdout. */
export function startWeaver(env: Record<string, string>): WeaverProcess {
  const child = spawn(process.execPath, [MAIN, 'start'], { cwd: REPO, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) {
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        lines.push({ msg: text });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const wake of waiters) wake();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    pid: child.pid!,
    lines,
    exited,
    stderr: () => err,
    waitForLog(match, timeoutMs = 30_000, what = 'a log line') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found) return done(() => resolve(found));
          if (child.exitCode !== null || child.signalCode !== null) {
            done(() => reject(new Error(`weaver start exited (${child.exitCode ?? child.signalCode}) before ${what}; stderr: ${err}; last lines: ${tail(lines)}`)));
          }
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${timeoutMs} ms; stderr: ${err}; last lines: ${tail(lines)}`))), timeoutMs);
        const done = (fn: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          fn();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

const tail = (lines: readonly LogLine[]) => lines.slice(-5).map((l) => l.msg).join(' | ');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One `weaver …` command to completion. */
export function runWeaver(args: readonly string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [MAIN, ...args], { cwd: REPO, env: cleanEnv(env), timeout: timeoutMs }, (error, stdout, stderr) => {
      live.delete(child);
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end();
    live.add(child);
  });
}

/** SIGTERM whatever is still running, SIGKILL what has not exited after `graceMs` (afterAll). */
export async function killAllWeavers(graceMs = 10_000): Promise<void> {
  await Promise.all(
    [...live].map(async (c) => {
      const gone = new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    }),
  );
}

/** Processes (other than this one) whose command line mentions `text`, e.g. a postgres started on a temp dir. */
export function processesMentioning(text: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(text)) found.push({ pid, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
