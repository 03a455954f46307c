import { expect, it } from 'vitest';
import { makeEvent, type LoggedEvent } from '../../protocol/index.ts';
import type { EventLog } from '../../runtime/eventlog/index.ts';
import { eventually, items, TestEcho } from '../helpers/events.ts';

interface Counter {
  count: number;
  sum: number;
}

/**
 * Behaviour every EventLog implementation must show, run against memory and Postgres alike, so the
 * two cannot drift: actor code never knows which one it runs on.
 */
export function eventLogContract(makeLog: () => Promise<EventLog>): void {
  it('delivers every appended event once, in order, to a consumer of its type', async () => {
    const log = await makeLog();
    const seen: number[] = [];
    const c = log.subscribe({ name: 'c1', types: ['test.*'], initialState: () => ({}), pollIntervalMs: 50, batchSize: 7 }, (e) => {
      seen.push((e.payload as { n: number }).n);
    });
    await log.publish(items(0, 20));
    await log.publish(items(20, 30));
    await eventually(() => seen.length >= 50, 10_000, '50 events');
    await c.stop();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await log.close();
  });

  it('moves its offset past events of other types, so a consumer of rare types is not behind', async () => {
    const log = await makeLog();
    const seen: number[] = [];
    await log.publish(items(1, 1));
    await log.publish(Array.from({ length: 30 }, (_, i) => makeEvent(TestEcho, { n: i, sum: i }, 'test')));
    const c = log.subscribe({ name: 'rare', types: ['test.Item'], initialState: () => ({}), pollIntervalMs: 20, batchSize: 8 }, (e) => void seen.push((e.payload as { n: number }).n));
    await eventually(async () => seen.length === 1 && (await log.lag('rare')).behind === 0, 10_000, 'offset at the end of the log');
    await c.stop();
    expect(seen).toEqual([1]);
    await log.close();
  });

  it('moves past pages with nothing wanted in one commit when it goes idle, not one per page', async () => {
    const log = await makeLog();
    for (let i = 0; i < 5; i++) await log.publish(Array.from({ length: 500 }, (_, k) => makeEvent(TestEcho, { n: i * 500 + k, sum: 0 }, 'noise')));
    const c = log.subscribe({ name: 'idle-skip', types: ['test.Item'], initialState: () => null, pollIntervalMs: 20, batchSize: 10 }, () => {});
    await eventually(async () => (await log.lag('idle-skip')).behind === 0, 10_000, 'offset past 2,500 unwanted events');
    await c.stop();
    expect(c.stats().batches).toBe(1);
    expect(c.stats().handled).toBe(0);
    await log.close();
  });

  it('handles a page in batches of batchSize, each its own commit', async () => {
    const log = await makeLog();
    await log.publish(items(1, 12));
    const c = log.subscribe({ name: 'small-batches', types: ['test.Item'], initialState: () => ({ n: 0 }), pollIntervalMs: 20, batchSize: 5 }, (_e, ctx) => {
      ctx.state.n++;
    });
    await eventually(() => c.stats().handled === 12, 10_000, '12 handled');
    await c.stop();
    expect(c.stats().batches).toBe(3); // 5 + 5 + 2
    expect((await log.lag('small-batches')).behind).toBe(0);
    await log.close();
  });

  it('resumes from the stored offset with the state snapshot taken in the same commit', async () => {
    const log = await makeLog();
    const handler = (e: LoggedEvent, ctx: { state: Counter }) => {
      ctx.state.count++;
      ctx.state.sum += (e.payload as { n: number }).n;
    };
    const opts = { name: 'resume', types: ['test.Item'], initialState: (): Counter => ({ count: 0, sum: 0 }), pollIntervalMs: 50 };
    await log.publish(items(1, 10));
    const first = log.subscribe(opts, handler);
    await eventually(() => first.stats().handled === 10, 10_000, 'first 10');
    await first.stop();
    await log.publish(items(11, 5));
    let finalState: Counter | null = null;
    const second = log.subscribe({ ...opts, initialState: () => ({ count: -1000, sum: -1000 }) }, (e, ctx) => {
      handler(e, ctx);
      finalState = { ...ctx.state };
    });
    await eventually(() => second.stats().handled === 5, 10_000, 'next 5');
    await second.stop();
    expect(finalState).toEqual({ count: 15, sum: 120 });
    await log.close();
  });

  it('appends emitted events with the batch and chains causation', async () => {
    const log = await makeLog();
    const echo = log.subscribe({ name: 'echo', types: ['test.Item'], initialState: () => ({ sum: 0 }), pollIntervalMs: 50 }, (e, ctx) => {
      const n = (e.payload as { n: number }).n;
      ctx.state.sum += n;
      ctx.emit(makeEvent(TestEcho, { n, sum: ctx.state.sum }, 'echo', { ts: e.ts }, e));
    });
    const echoes: LoggedEvent[] = [];
    const sink = log.subscribe({ name: 'sink', types: ['test.Echo'], initialState: () => ({}), pollIntervalMs: 50 }, (e) => void echoes.push(e));
    const sent = items(1, 5);
    await log.publish(sent);
    await eventually(() => echoes.length === 5, 10_000, '5 echoes');
    await Promise.all([echo.stop(), sink.stop()]);
    expect(echoes.map((e) => e.payload)).toEqual([1, 3, 6, 10, 15].map((sum, i) => ({ n: i + 1, sum })));
    expect(echoes.map((e) => e.causation_id)).toEqual(sent.map((e) => e.id));
    expect(echoes.every((e, i) => e.corr_id === sent[i]!.corr_id)).toBe(true);
    await log.close();
  });

  it('rolls back a batch whose handler throws, retries it, and applies each event once', async () => {
    const log = await makeLog();
    let thrown = 0;
    const c = log.subscribe({ name: 'flaky', types: ['test.Item'], initialState: () => ({ applied: [] as number[] }), pollIntervalMs: 50, batchSize: 100 }, (e, ctx) => {
      const n = (e.payload as { n: number }).n;
      ctx.state.applied.push(n);
      if (n === 7 && thrown < 2) {
        thrown++;
        throw new Error('transient');
      }
    });
    await log.publish(items(1, 10));
    await eventually(() => c.stats().handled === 10, 10_000, '10 handled');
    await c.stop();
    expect(thrown).toBe(2);
    expect(c.state().applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await log.close();
  });

  it('sends a poison event to dead letters after maxAttempts and goes on', async () => {
    const log = await makeLog();
    let attempts = 0;
    const c = log.subscribe({ name: 'poison', types: ['test.Item'], initialState: () => ({ seen: [] as number[] }), pollIntervalMs: 50, maxAttempts: 3 }, (e, ctx) => {
      const n = (e.payload as { n: number }).n;
      ctx.state.seen.push(n);
      if (n === 3) {
        attempts++;
        throw new Error('always fails on 3');
      }
    });
    await log.publish(items(1, 5));
    await eventually(() => c.stats().deadLetters === 1 && c.stats().handled === 4, 10_000, 'dead letter and the rest');
    await c.stop();
    expect(c.state().seen).toEqual([1, 2, 4, 5]);
    expect(attempts).toBe(3);
    await log.close();
  });

  it('in crash mode stops on a throw, counts attempts across restarts, and dead-letters after maxAttempts', async () => {
    const log = await makeLog();
    await log.publish(items(1, 3));
    const opts = { name: 'crashy', types: ['test.Item'], initialState: () => ({ seen: [] as number[] }), pollIntervalMs: 20, maxAttempts: 3, onHandlerError: 'crash' as const };
    let crashes = 0;
    for (let run = 0; run < 5; run++) {
      const c = log.subscribe(opts, (e, ctx) => {
        const n = (e.payload as { n: number }).n;
        if (n === 2) throw new Error('boom on 2');
        ctx.state.seen.push(n);
      });
      const outcome = await Promise.race([
        c.done.then(() => 'stopped', () => 'crashed'),
        eventually(() => c.stats().deadLetters === 1 && c.stats().handled >= 1, 10_000, 'dead letter').then(() => 'done'),
      ]);
      if (outcome === 'crashed') {
        crashes++;
        continue;
      }
      await c.stop();
      expect(c.state().seen).toEqual([1, 3]);
      break;
    }
    expect(crashes).toBe(2); // the third throw is dead-lettered instead of crashing again
    await log.close();
  });

  it('refuses to append an invalid event and appends nothing of that batch', async () => {
    const log = await makeLog();
    const good = items(1, 2);
    const bad = { ...items(3, 1)[0]!, payload: { n: 'three' } };
    await expect(log.publish([...good, bad])).rejects.toThrow(/refused to append test.Item/);
    const seen: number[] = [];
    await log.publish(items(10, 1));
    const c = log.subscribe({ name: 'after-refusal', types: ['test.Item'], initialState: () => ({}), pollIntervalMs: 50 }, (e) => void seen.push((e.payload as { n: number }).n));
    await eventually(() => seen.length === 1, 10_000, 'one event');
    await c.stop();
    expect(seen).toEqual([10]);
    await log.close();
  });

  it('lets only one of two instances of a consumer advance the offset', async () => {
    const log = await makeLog();
    await log.publish(items(1, 200));
    const effects: number[] = [];
    const opts = { name: 'zombie', types: ['test.Item'], initialState: () => ({}), pollIntervalMs: 20, batchSize: 10 };
    const slow = async (e: LoggedEvent) => {
      await new Promise((r) => setTimeout(r, 1));
      effects.push((e.payload as { n: number }).n);
    };
    const a = log.subscribe(opts, slow);
    const b = log.subscribe(opts, slow);
    const exits = await Promise.race([
      Promise.all([a.done, b.done]),
      eventually(async () => (await log.lag('zombie')).behind === 0, 20_000, 'offset at the end').then(async () => Promise.all([a.stop(), b.stop()])),
    ]);
    const superseded = exits.filter((x) => x.reason === 'superseded').length;
    expect(superseded).toBeGreaterThanOrEqual(1);
    const committed = a.stats().handled + b.stats().handled;
    // Every event is committed exactly once across the two; a superseded batch's effects were rolled back
    // in the database (the in-memory `effects` here are side effects outside the transaction).
    expect((await log.lag('zombie')).behind).toBe(0);
    expect(committed).toBe(200);
    await log.close();
  });
}
