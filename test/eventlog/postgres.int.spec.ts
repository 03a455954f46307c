import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../runtime/db/pool.ts';
import { appendEvents, createPostgresEventLog, type PostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import { eventually, items } from '../helpers/events.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { eventLogContract } from './contract.ts';

let pg: TestPostgres;
const logs: PostgresEventLog[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
});
afterAll(async () => {
  await Promise.allSettled(logs.map((l) => l.close()));
  await pg?.stop();
});

async function freshLog(url?: string): Promise<PostgresEventLog> {
  const log = await createPostgresEventLog({ url: url ?? (await pg.newDatabase()), poolSize: 12 });
  logs.push(log);
  return log;
}

describe('postgres event log', () => {
  eventLogContract(() => freshLog());

  it('does not pass a transaction that appended earlier and is still open; then delivers both once', async () => {
    const log = await freshLog();
    const seen: number[] = [];
    const c = log.subscribe({ name: 'ooo', types: ['test.Item'], initialState: () => ({}), pollIntervalMs: 20 }, (e) => void seen.push((e.payload as { n: number }).n));
    await c.ready;
    let commitA!: () => void;
    const aMayCommit = new Promise<void>((r) => (commitA = r));
    let aAppended!: () => void;
    const aHasAppended = new Promise<void>((r) => (aAppended = r));
    const txA = log.transaction(async (tx) => {
      await tx.append(items(1, 1));
      aAppended();
      await aMayCommit;
    });
    await aHasAppended;
    await log.transaction((tx) => tx.append(items(2, 1))); // B commits while A is open
    await new Promise((r) => setTimeout(r, 300)); // many polls and one NOTIFY later …
    expect(seen).toEqual([]); // … the consumer has not passed A
    expect(c.stats().cursor.position).toBe(0n);
    commitA();
    await txA;
    await eventually(() => seen.length === 2, 5000, 'both events');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([1, 2]);
    await c.stop();
  });

  it('sees every event exactly once from 8 producers × 10,000 events with random delays inside their transactions', async () => {
    const log = await freshLog();
    const counts = new Map<string, number>();
    const c = log.subscribe({ name: 'load', types: ['test.Item'], initialState: () => ({}), pollIntervalMs: 50, batchSize: 1000 }, (e) => {
      counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    });
    const sent = new Set<string>();
    const producer = async (p: number) => {
      let n = 0;
      while (n < 10_000) {
        const batch = items(n, Math.min(1 + Math.floor(Math.random() * 60), 10_000 - n), p);
        n += batch.length;
        for (const e of batch) sent.add(e.id);
        await log.transaction(async (tx) => {
          if (Math.random() < 0.5) await new Promise((r) => setTimeout(r, Math.random() * 4));
          await tx.append(batch);
          await new Promise((r) => setTimeout(r, Math.random() * 4));
        });
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, p) => producer(p)));
    await eventually(() => counts.size >= 80_000, 60_000, '80,000 events');
    await new Promise((r) => setTimeout(r, 200));
    await c.stop();
    expect(sent.size).toBe(80_000);
    expect(counts.size).toBe(80_000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect([...sent].every((id) => counts.has(id))).toBe(true);
  }, 120_000);

  it('dead-letters a malformed envelope and an unknown type inserted with raw SQL, and goes on', async () => {
    const url = await pg.newDatabase();
    const log = await freshLog(url);
    const pool = await createPool(url, { maximumPoolSize: 1 });
    const [bad, unknown] = items(100, 2);
    await pool.query(sql.unsafe`
      INSERT INTO outbox (id, kind, type, version, ts, producer, payload)
      VALUES (${bad!.id}, 'bogus', 'test.Item', 1, now(), 'raw-sql', '{"n": 100}'),
             (${unknown!.id}, 'evt', 'test.Nobody', 1, now(), 'raw-sql', '{"n": 101}')`);
    await log.publish(items(1, 1));
    const seen: number[] = [];
    const c = log.subscribe({ name: 'dl', types: ['test.*'], initialState: () => ({}), pollIntervalMs: 20 }, (e) => void seen.push((e.payload as { n: number }).n));
    await eventually(() => seen.length === 1, 5000, 'the good event');
    await c.stop();
    const rows = await pool.any(sql.unsafe`SELECT type, error->>'code' AS code, raw->>'producer' AS producer FROM dead_letters WHERE consumer = 'dl' ORDER BY position`);
    expect(rows).toEqual([
      { type: 'test.Item', code: 'invalid_envelope', producer: 'raw-sql' },
      { type: 'test.Nobody', code: 'unknown_type', producer: 'raw-sql' },
    ]);
    await pool.end();
  });

  it('commits handler writes, emitted events and offset together: a poison event leaves no partial effect', async () => {
    const url = await pg.newDatabase();
    const log = await freshLog(url);
    await log.pool.query(sql.unsafe`CREATE TABLE effects (n int NOT NULL)`);
    const c = log.subscribe({ name: 'writer', types: ['test.Item'], initialState: () => ({}), pollIntervalMs: 20, maxAttempts: 2 }, async (e, ctx) => {
      const n = (e.payload as { n: number }).n;
      await ctx.db!.query(sql.unsafe`INSERT INTO effects (n) VALUES (${n})`);
      if (n === 4) throw new Error('poison');
    });
    await log.publish(items(1, 6));
    await eventually(() => c.stats().handled === 5 && c.stats().deadLetters === 1, 10_000, '5 handled + 1 dead letter');
    await c.stop();
    const ns = await log.pool.anyFirst(sql.unsafe`SELECT n FROM effects ORDER BY n`);
    expect(ns).toEqual([1, 2, 3, 5, 6]);
    const dl = await log.pool.one(sql.unsafe`SELECT error->>'code' AS code, attempts FROM dead_letters WHERE consumer = 'writer'`);
    expect(dl).toEqual({ code: 'handler_failed', attempts: 2 });
  });

  it('retries a batch whose handler hit a database outage, without counting it against the event', async () => {
    const log = await freshLog();
    let outages = 0;
    const c = log.subscribe({ name: 'outage', types: ['test.Item'], initialState: () => ({ seen: [] as number[] }), pollIntervalMs: 20, maxAttempts: 2 }, (e, ctx) => {
      const n = (e.payload as { n: number }).n;
      if (n === 2 && outages < 4) {
        outages++;
        throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      }
      ctx.state.seen.push(n);
    });
    await log.publish(items(1, 3));
    await eventually(() => c.stats().handled === 3, 15_000, 'all 3 handled');
    await c.stop();
    expect(outages).toBe(4); // more than maxAttempts, yet no dead letter
    expect(c.stats().deadLetters).toBe(0);
    expect(c.state().seen).toEqual([1, 2, 3]);
  });

  it('reconnects and catches up when Postgres is stopped and started under running consumers', async () => {
    const url = await pg.newDatabase();
    const log = await freshLog(url);
    // Counted in the state committed with the offset: a batch cut off by the restart is rolled back and
    // handled again, which is at-least-once for the handler but exactly once for what it commits.
    const c = log.subscribe({ name: 'survivor', types: ['test.Item'], initialState: () => ({ counts: {} as Record<string, number> }), pollIntervalMs: 100 }, (e, ctx) => {
      const n = String((e.payload as { n: number }).n);
      ctx.state.counts[n] = (ctx.state.counts[n] ?? 0) + 1;
    });
    const seen = () => Object.keys(c.state().counts).length;
    await log.publish(items(0, 50));
    await eventually(() => seen() === 50, 10_000, 'first 50');
    await pg.restart();
    // The pool reconnects on its own; an append may fail while Postgres starts, so retry the same events
    // (an append that did land before its answer was lost is not doubled: same ids).
    const more = items(50, 50);
    await eventually(async () => log.publish(more).then(() => true, () => false), 20_000, 'append after restart');
    await eventually(() => seen() === 100, 20_000, 'all 100 after restart');
    await c.stop();
    expect(Object.values(c.state().counts).every((n) => n === 1)).toBe(true);
    expect(Object.keys(c.state().counts).map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  }, 60_000);

  it('refuses appends on behalf of an actor whose lease is no longer held (a zombie cannot publish)', async () => {
    const url = await pg.newDatabase();
    const admin = await createPool(url, { maximumPoolSize: 1 });
    await admin.query(sql.unsafe`INSERT INTO actor_leases (actor_id, holder, fencing, expires_at) VALUES ('pinger', 'sup-a', 7, now() + interval '1 minute')`);
    const fencing = { actorId: 'pinger', holder: 'sup-a', token: 7n };
    const log = await createPostgresEventLog({ url, fencing });
    logs.push(log);
    await log.publish(items(1, 1));
    await log.transaction((tx) => tx.append(items(2, 1)));
    // Another supervisor takes the lease over: the old instance's appends are refused and leave nothing.
    await admin.query(sql.unsafe`UPDATE actor_leases SET holder = 'sup-b', fencing = 8 WHERE actor_id = 'pinger'`);
    await expect(log.publish(items(3, 1))).rejects.toThrow(/lease was taken over/);
    await expect(log.transaction((tx) => tx.append(items(4, 1)))).rejects.toThrow(/lease was taken over/);
    const ns = await admin.anyFirst(sql.unsafe`SELECT (payload->>'n')::int AS n FROM outbox ORDER BY position`);
    expect(ns).toEqual([1, 2]);
    await admin.end();
  });

  it('appends inside the caller\'s own transaction: a rollback leaves no event', async () => {
    const log = await freshLog();
    await expect(
      log.pool.transaction(async (t) => {
        await appendEvents(t, items(1, 3));
        throw new Error('business write failed');
      }),
    ).rejects.toThrow('business write failed');
    expect((await log.lag('nobody')).behind).toBe(0);
  });
});
