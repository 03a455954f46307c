// The gateway benchmark's producer thread: appends one stamped event at a time at a steady rate, through
// an event log of its own (synchronous commit, as a venue actor appends orders.Accepted). Two paths:
//   projected: orders.Accepted of a live-looking run → the gateway's projection → ui.OrderStatus → SSE
//   direct:    ui.OrderStatus itself → SSE (no projection hop)
// Warm-up events (seq < 0) go first and are ignored by every measurement.
import { workerData } from 'node:worker_threads';
import { makeEvent, OrdersAccepted, UiOrderStatus, type Envelope } from '../../protocol/index.ts';
import { createPostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import { nowMs, serve, stampOrderId } from './gateway-rpc.ts';

const { databaseUrl } = workerData as { databaseUrl: string };
const log = await createPostgresEventLog({ url: databaseUrl, poolSize: 2 });
const runId = crypto.randomUUID();
const instanceId = crypto.randomUUID();

function eventFor(path: 'projected' | 'direct', seq: number, t: number): Envelope {
  const order_id = stampOrderId(seq, t);
  if (path === 'direct') {
    return makeEvent(UiOrderStatus, { run_id: runId, instance_id: instanceId, order_id, symbol: 'DEMO', side: 'buy', status: 'accepted' }, 'gateway', { run_id: runId });
  }
  const order = { order_id, run_id: runId, instance_id: instanceId, symbol: 'DEMO', side: 'buy' as const, qty: 1, type: 'market' as const, limit_price: null, stop_price: null, decided_at: new Date(t).toISOString(), bar_index: Math.max(seq, 0) };
  return makeEvent(OrdersAccepted, { order }, 'greta', { run_id: runId });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

serve({
  /** Append rate × seconds events (after warm-up), each stamped just before its publish; returns the commit times. */
  run: async ({ path, rate, seconds, warmupSeconds }: { path: 'projected' | 'direct'; rate: number; seconds: number; warmupSeconds: number }) => {
    const interval = 1000 / rate;
    const warm = Math.round(rate * warmupSeconds);
    const total = Math.round(rate * seconds);
    const commits = new Float64Array(total);
    let lateTicks = 0;
    const started = nowMs();
    let measuredFrom = started;
    for (let i = -warm; i < total; i++) {
      const due = started + (i + warm) * interval;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      else if (wait < -interval) lateTicks++;
      if (i === 0) measuredFrom = nowMs();
      const t = nowMs();
      await log.publish([eventFor(path, i, t)]);
      if (i >= 0) commits[i] = nowMs() - t;
    }
    const achieved = total / ((nowMs() - measuredFrom) / 1000);
    return { commits, achievedRate: achieved, lateTicks };
  },
  stop: () => log.close(),
});
