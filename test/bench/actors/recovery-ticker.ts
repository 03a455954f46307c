// Test-only actor of the recovery benchmark: consumes bench.Tick and records, per handled tick, its own
// incarnation and the wall-clock time of handling in bench_recovery_handled (in the batch transaction, so
// only committed handling counts). A tick whose `kill` names its incarnation makes it exit(1) at once, the
// way a crash happens. It reports its module load, its start() and the instant of the kill on a
// BroadcastChannel (a worker that exits cannot write them anywhere else).
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { defineActor } from '../../../runtime/actor/define.ts';
import { sql } from '../../../runtime/db/pool.ts';
import { BenchTick, nowMs, RECOVERY_CHANNEL, TICKER_KIND, type BenchTickPayload, type RecoveryMark } from '../recovery-events.ts';

const loadedAt = nowMs();
// The supervisor also imports this module in its own thread (to check a spawn's config): say nothing there.
const channel = isMainThread ? null : new BroadcastChannel(RECOVERY_CHANNEL);
channel?.unref();
const mark = (m: RecoveryMark) => channel?.postMessage(m);
mark({ what: 'loaded', t: loadedAt, threadId });

export default defineActor<{ handled: number }>({
  kind: TICKER_KIND,
  subscribe: {
    types: [BenchTick.type],
    initialState: () => ({ handled: 0 }),
    async handle(event, ctx, actor) {
      const handledAt = nowMs();
      const tick = event.payload as BenchTickPayload;
      if (tick.kill === actor.incarnation) {
        // A message port post is queued synchronously, so it is delivered even though the thread dies now.
        mark({ what: 'kill', t: nowMs(), threadId, incarnation: actor.incarnation });
        process.exit(1);
      }
      await ctx.db!.query(sql.unsafe`
        INSERT INTO bench_recovery_handled (incarnation, seq, sent_at, handled_at)
        VALUES (${actor.incarnation}, ${tick.seq}, ${tick.t}, ${handledAt})`);
      ctx.state.handled++;
    },
  },
  // Runs once the consumer has loaded its offset; the consumer is already reading.
  start(ctx) {
    mark({ what: 'started', t: nowMs(), threadId, incarnation: ctx.incarnation });
  },
});
