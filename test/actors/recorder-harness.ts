// One test Postgres per spec file and, per test, a fresh database with a supervisor that knows the
// recorder kind, a client for assertions and an event log to publish with. The bindings are live:
// importers see the current test's `db`, `eventLog` and `sup`.
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Config } from '../../runtime/config.ts';
import { createPostgresEventLog, type PostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import { startSupervisor, type Supervisor } from '../../runtime/supervisor/index.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { testConfig } from './config.ts';
import { CREATE_TEST_EFFECTS, RECORDER_URL } from './work.ts';

process.env.WEAVER_LOG_LEVEL ??= 'fatal';
const log = pino({ level: process.env.WEAVER_LOG_LEVEL });

let pgc: TestPostgres;
export let db: pg.Client;
export let eventLog: PostgresEventLog;
export let sup: Supervisor | null = null;

/** Registers the hooks: a cluster for the file, everything of a test stopped after it. */
export function useRecorderSupervisor(): void {
  beforeAll(async () => {
    pgc = await startTestPostgres();
  });
  afterAll(async () => {
    await pgc?.stop();
  });
  afterEach(async () => {
    await stopSupervisor();
    await eventLog?.close();
    await db?.end();
  });
}

/** A fresh database with test_effects, and a supervisor on it; returns the database URL. */
export async function startRecorderSupervisor(config: Partial<Config> = {}): Promise<string> {
  const url = await pgc.newDatabase();
  db = new pg.Client(url);
  await db.connect();
  await db.query(CREATE_TEST_EFFECTS);
  eventLog = await createPostgresEventLog({ url, poolSize: 2 });
  sup = await startSupervisor({ config: testConfig(config), databaseUrl: url, log, kinds: { recorder: RECORDER_URL }, tuning: { backoff: { initialBackoffMs: 50 } } });
  return url;
}

export async function stopSupervisor(): Promise<void> {
  await sup?.stop();
  sup = null;
}
