import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, type LoggedEvent } from '../../protocol/index.ts';
import { createMemoryEventLog, type EventLog } from '../../runtime/eventlog/index.ts';
import { createPostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import { eventually, items, TestEcho } from '../helpers/events.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

/**
 * The same deterministic actor over the memory log and the Postgres log, fed the same events (with a
 * poison one and some of another type), must end in the same state and emit the same events.
 */
async function run(log: EventLog) {
  const input = items(1, 120).map((e, i) => {
    const id = `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`;
    return { ...e, id, corr_id: id, trace_id: id, ts: '2026-01-02T03:04:05.000Z' };
  });
  const noise = Array.from({ length: 40 }, (_, i) => makeEvent(TestEcho, { n: -i, sum: 0 }, 'noise', { ts: '2026-01-02T03:04:05.000Z' }));
  for (let i = 0; i < input.length; i += 30) await log.publish([...input.slice(i, i + 30), ...noise.slice(i / 3, i / 3 + 10)]);
  const c = log.subscribe(
    { name: 'parity', types: ['test.Item'], initialState: () => ({ sum: 0, count: 0 }), batchSize: 17, pollIntervalMs: 20, maxAttempts: 2 },
    (e: LoggedEvent, ctx) => {
      const n = (e.payload as { n: number }).n;
      if (n === 50) throw new Error('poison 50');
      ctx.state.sum += n;
      ctx.state.count++;
      if (n % 10 === 0) ctx.emit(makeEvent(TestEcho, { n, sum: ctx.state.sum }, 'parity', { id: e.id.replace('8000-', '9000-'), ts: e.ts }, e));
    },
  );
  await eventually(() => c.stats().handled === 119 && c.stats().deadLetters === 1, 20_000, 'all handled');
  await c.stop();
  const emitted: unknown[] = [];
  const sink = log.subscribe({ name: 'sink', types: ['test.Echo'], initialState: () => null, pollIntervalMs: 20 }, (e) => {
    if (e.producer === 'parity') emitted.push({ id: e.id, causation: e.causation_id, corr: e.corr_id, payload: e.payload, ts: e.ts });
  });
  await eventually(() => emitted.length === 11, 10_000, 'emitted events');
  await sink.stop();
  const state = c.state();
  await log.close();
  return { state, emitted };
}

describe('memory and Postgres event logs', () => {
  it('give identical results for the same actor and inputs', async () => {
    const memory = await run(createMemoryEventLog());
    const postgres = await run(await createPostgresEventLog({ url: await pg.newDatabase() }));
    expect(memory.state).toEqual({ sum: 7260 - 50, count: 119 });
    expect(postgres).toEqual(memory);
  });
});
