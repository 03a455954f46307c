// Small file and database chores of the embedded Postgres: a start lock shared by processes, atomic
// writes of the files other processes read, and creating the database on first start.
import fs from 'node:fs/promises';
import pg from 'pg';
import { procStat, sameProcessAlive } from './processes.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Serialises starts on one home across processes (two CLIs starting at once must not both initdb). */
export async function withStartLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fs.writeFile(lockFile, JSON.stringify({ pid: process.pid, startTime: procStat(process.pid)?.startTime ?? null }), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await lockIsStale(lockFile)) {
      await fs.rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${lockFile}: another process is starting Postgres on this home. If none is, delete the file.`);
    }
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockFile, { force: true });
  }
}

async function lockIsStale(file: string): Promise<boolean> {
  try {
    const holder = JSON.parse(await fs.readFile(file, 'utf8')) as { pid: number; startTime: string | null };
    return !sameProcessAlive(holder.pid, holder.startTime);
  } catch {
    // Unreadable: being written right now, or garbage left by a crash.
    const stat = await fs.stat(file).catch(() => null);
    return stat !== null && Date.now() - stat.mtimeMs > 5_000;
  }
}

/** Written whole or not at all: readers never see half a connection file. */
export async function writeFileAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode });
  await fs.rename(tmp, file);
}

/** Creates `database` if it does not exist (the embedded cluster starts with `postgres` only). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (database === 'postgres') return;
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end().catch(() => {});
  }
}
