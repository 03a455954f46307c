import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActorSpawn, makeEvent } from '../protocol/index.ts';
import { createPostgresEventLog, type PostgresEventLog } from '../runtime/eventlog/postgres/index.ts';
import { CREATE_TEST_EFFECTS, work } from './actors/work.ts';
import { eventually } from './helpers/events.ts';
import { startTestPostgres, type TestPostgres } from './helpers/postgres.ts';

// Two supervisor processes on one database: each actor runs exactly once, and when one process is
// killed with SIGKILL the other takes its actors over within the lease TTL and resumes from their offsets.
const SCRIPT = fileURLToPath(new URL('./actors/supervisor-process.ts', import.meta.url));
const TTL_MS = 2000;

let pgc: TestPostgres;
let db: pg.Client;
let eventLog: PostgresEventLog;
const children: ChildProcess[] = [];

beforeAll(async () => {
  pgc = await startTestPostgres();
});
afterAll(async () => {
  await pgc?.stop();
});
afterEach(async () => {
  await Promise.all(children.splice(0).map(async (c) => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, 'exit');
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }));
  await eventLog?.close();
  await db?.end();
});

async function startSupervisorProcess(url: string): Promise<{ child: ChildProcess; id: string }> {
  const child = spawn(process.execPath, [SCRIPT], {
    env: {
      ...process.env, DATABASE_URL: url, WEAVER_LEASE_TTL_MS: String(TTL_MS), WEAVER_HEARTBEAT_MS: '100',
      WEAVER_HANG_TIMEOUT_MS: '1000', WEAVER_POLL_INTERVAL_MS: '50', WEAVER_LOG_LEVEL: process.env.WEAVER_LOG_LEVEL ?? 'error', WEAVER_LOG_FORMAT: 'json',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  const id = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`supervisor process exited with ${code} before it was ready`)));
  });
  return { child, id };
}

const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;
const liveHolders = async () =>
  new Map((await rows(`SELECT actor_id, holder FROM actor_leases WHERE expires_at > clock_timestamp()`)).map((r) => [r.actor_id as string, r.holder as string]));

describe('two supervisor processes on one database', () => {
  it('run every actor exactly once, and after kill -9 of one the other takes over from the offsets', async () => {
    const url = await pgc.newDatabase();
    db = new pg.Client(url);
    await db.connect();
    await db.query(CREATE_TEST_EFFECTS);
    eventLog = await createPostgresEventLog({ url, poolSize: 2 });
    const a = await startSupervisorProcess(url);
    const b = await startSupervisorProcess(url);

    const ids = ['recorder:1', 'recorder:2', 'recorder:3', 'recorder:4'];
    const spawns = ids.map((id) => makeEvent(ActorSpawn, { actor_id: id, kind: 'recorder', config: {} }, 'test'));
    await eventLog.publish(spawns);
    const holders = await eventually(async () => {
      const h = await liveHolders();
      const started = await rows(`SELECT 1 FROM outbox WHERE type = 'actor.Started'`);
      return h.size === 4 && started.length === 4 && h;
    }, 20_000, 'four actors running');
    // Fair share: two each. Each spawn's outcome is an actor.Started caused by it.
    expect([...holders.values()].filter((h) => h === a.id)).toHaveLength(2);
    expect([...holders.values()].filter((h) => h === b.id)).toHaveLength(2);
    const started = await rows(`SELECT causation_id FROM outbox WHERE type = 'actor.Started'`);
    expect(new Set(started.map((r) => r.causation_id))).toEqual(new Set(spawns.map((s) => s.id)));

    // Work flows all along; A dies in the middle of it.
    let published = 0;
    const publishSome = async (n: number) => {
      await eventLog.publish(work(published, n));
      published += n;
    };
    for (let i = 0; i < 5; i++) await publishSome(10);
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    const takenOver = (async () => {
      await eventually(async () => {
        const h = await liveHolders();
        return h.size === 4 && [...h.values()].every((holder) => holder === b.id);
      }, TTL_MS + 5_000, 'B holding all four leases');
      return Date.now() - killedAt;
    })();
    for (let i = 0; i < 10; i++) {
      await publishSome(10);
      await new Promise((r) => setTimeout(r, 100));
    }
    const takeoverMs = await takenOver;
    expect(takeoverMs).toBeLessThan(TTL_MS + 2_500);

    await eventually(async () => (await rows('SELECT count(*)::int AS n FROM test_effects'))[0].n >= ids.length * published, 20_000, 'every effect');
    const dup = await rows('SELECT actor_id, event_id FROM test_effects GROUP BY actor_id, event_id HAVING count(*) > 1');
    expect(dup).toEqual([]);
    const perActor = await rows('SELECT actor_id, count(DISTINCT n)::int AS n FROM test_effects GROUP BY actor_id ORDER BY actor_id');
    expect(perActor).toEqual(ids.map((id) => ({ actor_id: id, n: published })));
    const takeovers = await eventually(async () => {
      const r = await rows(`SELECT payload FROM outbox WHERE type = 'actor.Started' AND payload->>'supervisor_id' = $1`, [b.id]);
      return r.length >= 4 && r;
    }, 5_000, 'actor.Started by B for each actor');
    expect(takeovers).toHaveLength(4);
  });
});
