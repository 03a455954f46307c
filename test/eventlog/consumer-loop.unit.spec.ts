import { describe, expect, it } from 'vitest';
import { runConsumerLoop } from '../../runtime/eventlog/consumer-loop.ts';
import { createMemoryEventLog } from '../../runtime/eventlog/index.ts';
import type { ConsumerStore } from '../../runtime/eventlog/store.ts';
import { eventually, items } from '../helpers/events.ts';

describe('the consumer loop', () => {
  it('takes a batch whose COMMIT reached the database before the connection broke as committed', async () => {
    const log = createMemoryEventLog();
    await log.publish(items(1, 5));
    const inner = log.consumerStore('lost-ack', ['test.Item']);
    const lostAck = Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
    let failNext = true;
    // The first transaction commits, then its acknowledgement is lost as with a dropped connection.
    const store: ConsumerStore = {
      ...inner,
      async transaction(fn) {
        const result = await inner.transaction(fn);
        if (failNext) {
          failNext = false;
          throw lostAck;
        }
        return result;
      },
      isInfrastructureError: (error) => error === lostAck,
    };
    const c = runConsumerLoop(store, { name: 'lost-ack', types: ['test.Item'], initialState: () => ({ seen: [] as number[] }), pollIntervalMs: 20 }, (e, ctx) => {
      ctx.state.seen.push((e.payload as { n: number }).n);
    });
    await eventually(() => !failNext, 5000, 'the lost acknowledgement');
    await log.publish(items(6, 5));
    // Retrying the batch would find the offset moved and stop as superseded; it must go on instead.
    await eventually(() => c.state().seen.length === 10, 5000, 'all 10 events');
    const exit = await c.stop();
    expect(exit).toEqual({ reason: 'stopped' });
    expect(c.state().seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await log.lag('lost-ack')).behind).toBe(0);
  });
});
