import { describe, expect, it } from 'vitest';
import { db, eventLog, startRecorderSupervisor, sup, useRecorderSupervisor } from './actors/recorder-harness.ts';
import { work, type CrashKind } from './actors/work.ts';
import { eventually } from './helpers/events.ts';

// Crash recovery through the whole supervisor: a recorder crashes mid-batch (after writing some rows in the
// batch transaction) and must come back from its committed offset with every effect exactly once.
useRecorderSupervisor();
const start = startRecorderSupervisor;

const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0];
const lifecycle = async (type: string) => (await db.query(`SELECT payload FROM outbox WHERE type = $1 AND payload->>'actor_id' = 'recorder:a' ORDER BY position`, [type])).rows.map((r) => r.payload);

const expectedCode: Record<CrashKind, string> = { throw: 'handler_failed', exit: 'worker_exited', loop: 'hung', oom: 'out_of_memory' };

describe('supervisor restarts a crashed actor from its committed offset', () => {
  for (const kind of ['throw', 'exit', 'loop', 'oom'] as const) {
    it(`after a crash by ${kind}: the failed batch left nothing, every event has exactly one effect`, async () => {
      await start();
      await sup!.ensureActors([{ id: 'recorder:a', kind: 'recorder', config: {} }]);
      await eventually(async () => (await one(`SELECT state FROM actors WHERE id = 'recorder:a'`))?.state === 'running', 15_000, 'recorder running');

      // One transaction, so one batch: rows for n = 0..9 are written, then n = 10 crashes the batch.
      await eventLog.publish(work(0, 20, { n: 10, crash: kind }));
      await eventually(async () => (await one('SELECT count(*)::int AS n FROM test_effects')).n >= 20, 20_000, '20 effects');

      const perEvent = await db.query('SELECT n, count(*)::int AS c FROM test_effects GROUP BY n ORDER BY n');
      expect(perEvent.rows).toEqual(Array.from({ length: 20 }, (_, n) => ({ n, c: 1 })));
      // Nothing of the crashed batch was committed: every effect is younger than the crash report.
      const crashedAt = await one(`SELECT appended_at FROM outbox WHERE type = 'actor.Crashed'`);
      const firstEffect = await one('SELECT min(at) AS at FROM test_effects');
      expect(firstEffect.at.getTime()).toBeGreaterThan(crashedAt.appended_at.getTime());

      const crashed = await lifecycle('actor.Crashed');
      expect(crashed).toHaveLength(1);
      expect(crashed[0].error.code).toBe(expectedCode[kind]);
      expect(await lifecycle('actor.Restarted')).toHaveLength(1);
      // Started is appended just after start() returns, so it may trail the first effects by a moment.
      await eventually(async () => (await lifecycle('actor.Started')).length === 2, 5_000, 'second actor.Started');
      const row = await one(`SELECT state, restarts FROM actors WHERE id = 'recorder:a'`);
      expect(row).toEqual({ state: 'running', restarts: 1 });
    });
  }
});

describe('a poison event', () => {
  it('crashes the actor until maxAttempts, then goes to dead_letters with the reason while the actor goes on', async () => {
    await start({ restartIntensity: 10 });
    await sup!.ensureActors([{ id: 'recorder:a', kind: 'recorder', config: {} }]);
    await eventually(async () => (await one(`SELECT state FROM actors WHERE id = 'recorder:a'`))?.state === 'running', 15_000, 'recorder running');
    const events = work(0, 10);
    const poison = { ...events[4]!, payload: { n: 4, poison: true } };
    await eventLog.publish([...events.slice(0, 4), poison, ...events.slice(5)]);
    await eventually(async () => (await one('SELECT count(*)::int AS n FROM test_effects')).n >= 9, 30_000, '9 effects');

    const perEvent = await db.query('SELECT n, count(*)::int AS c FROM test_effects GROUP BY n ORDER BY n');
    expect(perEvent.rows).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9].map((n) => ({ n, c: 1 })));
    const dead = await db.query(`SELECT event_id::text AS id, error, attempts FROM dead_letters WHERE consumer = 'recorder:a'`);
    expect(dead.rows).toHaveLength(1);
    expect(dead.rows[0].id).toBe(poison.id);
    expect(dead.rows[0].error.code).toBe('handler_failed');
    expect(dead.rows[0].error.message).toMatch(/threw 3 times.*poison/);
    expect(dead.rows[0].attempts).toBe(3);
    // Two crashes and restarts; the third throw is dead-lettered by the restarted actor, which then goes on.
    expect(await lifecycle('actor.Crashed')).toHaveLength(2);
    await eventLog.publish(work(100, 1));
    await eventually(async () => (await one('SELECT count(*)::int AS n FROM test_effects WHERE n = 100')).n === 1, 10_000, 'a later event handled');
    expect((await one(`SELECT state FROM actors WHERE id = 'recorder:a'`)).state).toBe('running');
  });
});

describe('intensity limit', () => {
  it('an actor that crashes at every start ends failed, stays down, and says so in the log', async () => {
    await start({ restartIntensity: 2, restartPeriodMs: 60_000 });
    await sup!.ensureActors([{ id: 'recorder:a', kind: 'recorder', config: { start: 'throw' } }]);
    const failed = await eventually(async () => {
      const events = await lifecycle('actor.Failed');
      return events.length > 0 && events;
    }, 20_000, 'actor.Failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].error.message).toContain('start() fails');
    expect(await lifecycle('actor.Crashed')).toHaveLength(3);
    expect(await lifecycle('actor.Restarted')).toHaveLength(2);
    // It is not restarted again, and its lease is free.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await lifecycle('actor.Crashed')).toHaveLength(3);
    const row = await one(`SELECT state, restarts, last_error FROM actors WHERE id = 'recorder:a'`);
    expect(row.state).toBe('failed');
    expect(row.restarts).toBe(2);
    expect(row.last_error.details.gave_up).toContain('reached the limit (2)');
    expect((await one(`SELECT count(*)::int AS n FROM actor_leases WHERE expires_at > now()`)).n).toBe(0);
    const status = await sup!.status();
    expect(status.map((s) => [s.id, s.state, s.here])).toEqual([['recorder:a', 'failed', null]]);
  });
});
