import pg from 'pg';
import pino from 'pino';
import type { DatabasePool } from 'slonik';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../protocol/index.ts';
import { createPool } from '../runtime/db/pool.ts';
import { createPostgresEventLog, type PostgresEventLog } from '../runtime/eventlog/postgres/index.ts';
import { startSupervisor, type Supervisor } from '../runtime/supervisor/index.ts';
import { acquireLeases } from '../runtime/supervisor/leases.ts';
import { insertActors, killActor, recordObserved, restartActor } from '../runtime/supervisor/registry.ts';
import { DEFAULT_BACKOFF } from '../runtime/supervisor/restart-policy.ts';
import { ActorRunner, type RunnerDeps, type RunnerEnd } from '../runtime/supervisor/runner.ts';
import { testConfig } from './actors/config.ts';
import { CREATE_TEST_EFFECTS, RECORDER_URL, work } from './actors/work.ts';
import { eventually } from './helpers/events.ts';
import { startTestPostgres, type TestPostgres } from './helpers/postgres.ts';

// Races inside the supervisor: requests that land between two awaits, observed state written by a runner
// of an older generation, and a lease renewal that hangs instead of failing.
process.env.WEAVER_LOG_LEVEL ??= 'fatal';
const log = pino({ level: process.env.WEAVER_LOG_LEVEL });

let pgc: TestPostgres;
let url: string;
let db: pg.Client;
let pool: DatabasePool | null = null;
let eventLog: PostgresEventLog;
let sup: Supervisor | null = null;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  pgc = await startTestPostgres();
});
afterAll(async () => {
  await pgc?.stop();
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => {});
  await sup?.stop();
  sup = null;
  await eventLog?.close();
  await pool?.end();
  pool = null;
  await db?.end();
});

async function fresh(): Promise<void> {
  url = await pgc.newDatabase();
  db = new pg.Client(url);
  await db.connect();
  await db.query(CREATE_TEST_EFFECTS);
  eventLog = await createPostgresEventLog({ url, poolSize: 2 });
  pool = await createPool(url, { maximumPoolSize: 2 });
}

const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ActorRunner', () => {
  it('a stop that arrives while actor.Restarted is being appended still stops the actor', async () => {
    await fresh();
    const holder = 'sup-test';
    const published: string[] = [];
    let runner!: ActorRunner;
    let stopAsked = false;
    const deps: RunnerDeps = {
      supervisorId: holder, databaseUrl: url, moduleUrl: RECORDER_URL, maxOldGenerationSizeMb: 64,
      timing: { pollIntervalMs: 50, heartbeatMs: 100, hangTimeoutMs: 2000, startTimeoutMs: 30_000, stopGraceMs: 2000 },
      policy: { ...DEFAULT_BACKOFF, initialBackoffMs: 50, intensity: 5, periodMs: 60_000 },
      log,
      reacquire: async (id) => (await acquireLeases(pool!, [id], holder, 60_000)).get(id) ?? null,
      record: async () => {},
      publish: async (event: Envelope) => {
        published.push(event.type);
        // The shutdown (or a Kill, or a lost lease) comes while this append is in flight.
        if (event.type === 'actor.Restarted' && !stopAsked) {
          stopAsked = true;
          void runner.stop('shutdown');
          await sleep(20);
        }
      },
    };
    const fencing = (await acquireLeases(pool!, ['recorder:a'], holder, 60_000)).get('recorder:a')!;
    runner = new ActorRunner({ id: 'recorder:a', kind: 'recorder', config: {}, generation: 0, restarts: 0, causationId: null }, fencing, deps);
    // Without the fix the second incarnation ran for ever: make sure the test process does not keep it.
    cleanups.push(() => Promise.race([runner.stop('lease_lost'), sleep(3_000)]));
    await eventually(() => published.includes('actor.Started'), 15_000, 'actor.Started');
    await eventLog.publish(work(0, 1, { n: 0, crash: 'exit' })); // the first incarnation crashes on it
    await eventually(() => stopAsked, 15_000, 'the stop during actor.Restarted');
    const end = await Promise.race([runner.done, sleep(5_000).then(() => 'still running' as const)]);
    expect(end satisfies RunnerEnd | 'still running').toBe('shutdown');
    expect(published.filter((t) => t === 'actor.Started')).toHaveLength(1);
  });
});

describe('observed state', () => {
  it('a runner of an older generation cannot overwrite the state a newer command set (a Restart is not lost to a late "failed")', async () => {
    await fresh();
    await insertActors(pool!, [{ id: 'recorder:a', kind: 'recorder', config: {} }]);
    await acquireLeases(pool!, ['recorder:a'], 'sup-test', 60_000);
    await recordObserved(pool!, 'recorder:a', 'sup-test', 0, { state: 'restarting' });
    // actor.Restart commits while the runner (generation 0) is deciding to give up.
    await restartActor(pool!, 'recorder:a', '01890000-0000-7000-8000-000000000000');
    await recordObserved(pool!, 'recorder:a', 'sup-test', 0, { state: 'failed' });
    expect((await rows(`SELECT state, generation FROM actors`))[0]).toEqual({ state: 'restarting', generation: 1 });
    // The runner of the new generation writes as usual.
    await recordObserved(pool!, 'recorder:a', 'sup-test', 1, { state: 'running' });
    expect((await rows(`SELECT state FROM actors`))[0].state).toBe('running');
    // A kill is reported by whoever stops the actor, even a runner that has not seen the latest restart.
    await restartActor(pool!, 'recorder:a', '01890000-0000-7000-8000-000000000001');
    await killActor(pool!, 'recorder:a', '01890000-0000-7000-8000-000000000002');
    await recordObserved(pool!, 'recorder:a', 'sup-test', 1, { state: 'stopped' });
    expect((await rows(`SELECT state FROM actors`))[0].state).toBe('stopped');
  });
});

describe('lease renewal', () => {
  it('a renewal that hangs (not fails) for a TTL still stops the workers whose lease has expired', async () => {
    await fresh();
    sup = await startSupervisor({ config: testConfig(), databaseUrl: url, log, kinds: { recorder: RECORDER_URL }, tuning: { backoff: { initialBackoffMs: 50 } } });
    await sup.ensureActors([{ id: 'recorder:a', kind: 'recorder', config: {} }]);
    await eventually(async () => (await rows(`SELECT state FROM actors WHERE id = 'recorder:a'`))[0]?.state === 'running', 15_000, 'running');

    // Every renewal now waits on this row lock, as on a half-open connection: the lease runs out meanwhile.
    const blocker = new pg.Client(url);
    await blocker.connect();
    cleanups.push(() => blocker.end());
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM actor_leases WHERE actor_id = 'recorder:a' FOR UPDATE`);
    const stopped = await eventually(async () => (await rows(`SELECT payload FROM outbox WHERE type = 'actor.Stopped'`))[0], 5_000, 'actor.Stopped')
      .finally(() => blocker.query('ROLLBACK'));
    expect(stopped.payload.reason).toBe('lease_lost');
    // Once the database answers again the actor is taken back and works.
    await eventLog.publish(work(0, 3));
    await eventually(async () => (await rows('SELECT count(*)::int AS n FROM test_effects'))[0].n === 3, 15_000, '3 effects');
  });
});
