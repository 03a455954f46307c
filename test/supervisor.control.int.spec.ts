import { describe, expect, it } from 'vitest';
import { ActorKill, ActorRestart, ActorSpawn, makeEvent, type Envelope } from '../protocol/index.ts';
import { db, eventLog, startRecorderSupervisor, stopSupervisor, sup, useRecorderSupervisor } from './actors/recorder-harness.ts';
import { work } from './actors/work.ts';
import { eventually } from './helpers/events.ts';

// The control plane (actor.* commands and their outcomes by causation_id), lease loss, and the demo actors.
useRecorderSupervisor();
const start = startRecorderSupervisor;

const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;

/** Send a command and wait for the first event it caused: what the CLI does. */
async function outcome(command: Envelope, type?: string): Promise<{ type: string; payload: any }> {
  await eventLog.publish([command]);
  return eventually(async () => {
    const found = await rows(`SELECT type, payload FROM outbox WHERE causation_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY position LIMIT 1`, [command.id, type ?? null]);
    return found[0];
  }, 15_000, `the outcome of ${command.type}`);
}

describe('control commands', () => {
  it('spawn, restart and kill report their outcome by causation_id; bad commands are rejected with reasons', async () => {
    await start();
    const spawn = makeEvent(ActorSpawn, { actor_id: 'recorder:x', kind: 'recorder', config: {} }, 'test');
    expect((await outcome(spawn)).type).toBe('actor.Started');

    const again = await outcome(makeEvent(ActorSpawn, { actor_id: 'recorder:x', kind: 'recorder', config: {} }, 'test'));
    expect([again.type, again.payload.error.code]).toEqual(['actor.CommandRejected', 'actor_exists']);
    const unknownKind = await outcome(makeEvent(ActorSpawn, { actor_id: 'nope:1', kind: 'nope', config: {} }, 'test'));
    expect(unknownKind.payload.error.code).toBe('unknown_kind');
    const badConfig = await outcome(makeEvent(ActorSpawn, { actor_id: 'recorder:y', kind: 'recorder', config: { start: 'sometimes' } }, 'test'));
    expect(badConfig.payload.error).toMatchObject({ code: 'invalid_config', details: [{ path: 'start' }] });

    const fencingBefore = (await rows(`SELECT fencing::int FROM actor_leases WHERE actor_id = 'recorder:x'`))[0].fencing;
    const restart = makeEvent(ActorRestart, { actor_id: 'recorder:x' }, 'test');
    expect((await outcome(restart)).type).toBe('actor.Restarted');
    const started = await outcome(restart, 'actor.Started');
    expect(BigInt(started.payload.fencing)).toBeGreaterThan(BigInt(fencingBefore));
    // The restarted actor still works, from its offset.
    await eventLog.publish(work(0, 3));
    await eventually(async () => (await rows('SELECT count(*)::int AS n FROM test_effects'))[0].n === 3, 10_000, '3 effects');

    const kill = await outcome(makeEvent(ActorKill, { actor_id: 'recorder:x' }, 'test'));
    expect([kill.type, kill.payload.reason]).toEqual(['actor.Stopped', 'command']);
    await eventually(async () => (await rows(`SELECT state FROM actors WHERE id = 'recorder:x'`))[0].state === 'stopped', 5_000, 'stopped');
    expect(await rows(`SELECT 1 FROM actor_leases WHERE expires_at > clock_timestamp()`)).toEqual([]);
    const unknownId = await outcome(makeEvent(ActorKill, { actor_id: 'recorder:zzz' }, 'test'));
    expect(unknownId.payload.error.code).toBe('unknown_actor');

    // A killed actor can be spawned again.
    expect((await outcome(makeEvent(ActorSpawn, { actor_id: 'recorder:x', kind: 'recorder', config: {} }, 'test'))).type).toBe('actor.Started');
  });
});

describe('lease lost', () => {
  it('a worker whose lease is taken is stopped at once and commits nothing; it comes back when the lease is free', async () => {
    await start();
    await sup!.ensureActors([{ id: 'recorder:a', kind: 'recorder', config: {} }]);
    await eventually(async () => (await rows(`SELECT state FROM actors WHERE id = 'recorder:a'`))[0]?.state === 'running', 15_000, 'running');

    await db.query(`UPDATE actor_leases SET holder = 'thief', fencing = fencing + 1, expires_at = clock_timestamp() + interval '1.5 seconds'`);
    await eventLog.publish(work(0, 10));
    const stopped = await eventually(async () => (await rows(`SELECT payload FROM outbox WHERE type = 'actor.Stopped'`))[0], 5_000, 'actor.Stopped');
    expect(stopped.payload.reason).toBe('lease_lost');
    expect((await rows('SELECT count(*)::int AS n FROM test_effects'))[0].n).toBe(0);

    // Once the thief's lease expires the supervisor takes it back and handles the 10 events, once each.
    await eventually(async () => (await rows('SELECT count(DISTINCT n)::int AS n FROM test_effects'))[0].n === 10, 10_000, '10 effects');
    expect((await rows('SELECT count(*)::int AS n FROM test_effects'))[0].n).toBe(10);
  });
});

describe('demo actors', () => {
  it('pinger pings, ponger answers each ping once, and the seq goes on across a restart', async () => {
    await start();
    await sup!.ensureActors([
      { id: 'pinger', kind: 'pinger', config: { interval_ms: 50 } },
      { id: 'ponger', kind: 'ponger', config: {} },
    ]);
    const pongs = async () => (await rows(`SELECT count(*)::int AS n FROM outbox WHERE type = 'demo.Pong'`))[0].n;
    await eventually(async () => (await pongs()) >= 5, 15_000, '5 pongs');
    const restart = makeEvent(ActorRestart, { actor_id: 'pinger' }, 'test');
    await outcome(restart, 'actor.Started');
    const before = await pongs();
    await eventually(async () => (await pongs()) >= before + 5, 15_000, '5 more pongs');
    await stopSupervisor();

    const seqs = (await rows(`SELECT (payload->>'seq')::int AS seq FROM outbox WHERE type = 'demo.Ping' ORDER BY position`)).map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const answered = await rows(`SELECT payload->>'ping_id' AS ping, count(*)::int AS n FROM outbox WHERE type = 'demo.Pong' GROUP BY 1 HAVING count(*) > 1`);
    expect(answered).toEqual([]);
    const status = (await rows(`SELECT id, state FROM actors ORDER BY id`)).map((r) => [r.id, r.state]);
    expect(status).toEqual([['pinger', 'stopped'], ['ponger', 'stopped']]);
  });
});
