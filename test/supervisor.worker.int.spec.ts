import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresEventLog, type PostgresEventLog } from '../runtime/eventlog/postgres/index.ts';
import type { StartParams } from '../runtime/actor/protocol.ts';
import { spawnWorker, WorkerExitedError, type WorkerHandle } from '../runtime/supervisor/worker-handle.ts';
import { eventually } from './helpers/events.ts';
import { startTestPostgres, type TestPostgres } from './helpers/postgres.ts';
import { CREATE_TEST_EFFECTS, RECORDER_URL, work } from './actors/work.ts';

// The worker boundary on its own: comlink calls racing the thread's death, and two instances of one actor
// (a zombie) where the lease decides which one may commit.
let pgc: TestPostgres;
let url: string;
let db: pg.Client;
let log: PostgresEventLog;
const workers: WorkerHandle[] = [];

beforeAll(async () => {
  pgc = await startTestPostgres();
});
afterAll(async () => {
  await pgc?.stop();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
  await log?.close();
  await db?.end();
});

async function fresh(): Promise<void> {
  url = await pgc.newDatabase();
  db = new pg.Client(url);
  await db.connect();
  await db.query(CREATE_TEST_EFFECTS);
  log = await createPostgresEventLog({ url, poolSize: 2 });
}

function spawn(): WorkerHandle {
  const w = spawnWorker({ name: 'test actor', maxOldGenerationSizeMb: 128 });
  workers.push(w);
  return w;
}

function params(over: Partial<StartParams> = {}): StartParams {
  return {
    actorId: 'recorder:a', kind: 'recorder', moduleUrl: RECORDER_URL, config: {}, incarnation: 1,
    supervisorId: 'sup-test', fencing: '1', databaseUrl: url, pollIntervalMs: 50, ...over,
  };
}

async function lease(holder: string, fencing: number): Promise<void> {
  await db.query(
    `INSERT INTO actor_leases (actor_id, holder, fencing, expires_at) VALUES ('recorder:a', $1, $2, now() + interval '1 minute')
     ON CONFLICT (actor_id) DO UPDATE SET holder = $1, fencing = $2, expires_at = now() + interval '1 minute'`,
    [holder, fencing],
  );
}

describe('worker handle', () => {
  it('rejects a pending call when the worker exits during it', async () => {
    await fresh();
    const w = spawn();
    const pending = w.api.start(params({ config: { start: 'exit' } }));
    const error = await pending.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerExitedError);
    expect((error as WorkerExitedError).exit.code).toBe(4);
    // And a call made after the death rejects at once instead of hanging.
    await expect(w.api.health()).rejects.toBeInstanceOf(WorkerExitedError);
  });

  it('rejects a pending call when the worker is terminated', async () => {
    await fresh();
    const w = spawn();
    const pending = w.api.start(params({ config: { start: 'hang' } }));
    await eventually(async () => (await w.api.health()).ok === false || undefined, 10_000, 'worker booted');
    await w.terminate();
    await expect(pending).rejects.toBeInstanceOf(WorkerExitedError);
  });
});

describe('two instances of one actor (zombie)', () => {
  it('only the lease holder commits; the fenced-off one exits as superseded without effects', async () => {
    await fresh();
    await lease('sup-test', 1);
    const zombie = spawn();
    expect((await zombie.api.start(params({ fencing: '1' }))).ok).toBe(true);
    await log.publish(work(0, 5));
    await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM test_effects')).rows[0].n === 5 || undefined, 10_000, 'first 5 effects');

    // Another supervisor takes the lease over (fencing 2) and starts its own instance.
    await lease('sup-other', 2);
    const current = spawn();
    expect((await current.api.start(params({ fencing: '2', supervisorId: 'sup-other' }))).ok).toBe(true);
    await log.publish(work(5, 20));

    const exit = await zombie.exited;
    expect(exit.code).toBe(75);
    await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM test_effects')).rows[0].n >= 25 || undefined, 10_000, '25 effects');
    const dup = await db.query('SELECT event_id FROM test_effects GROUP BY event_id HAVING count(*) > 1');
    expect(dup.rows).toEqual([]);
    const offset = await db.query(`SELECT handled::int FROM consumer_offsets WHERE consumer = 'recorder:a'`);
    expect(offset.rows[0].handled).toBe(25);
  });
});
