// One benchmark role per worker thread: a producer (fixed count or steady rate) or a consumer.
import { parentPort, workerData } from 'node:worker_threads';
import { makeEvent, type Envelope } from '../../protocol/index.ts';
import { createPostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import { BenchSent, nowMs } from './bench-events.ts';

type Job =
  | { role: 'produce'; url: string; count: number; batch: number }
  | { role: 'steady'; url: string; rate: number; seconds: number }
  | { role: 'consume'; url: string; name: string; expect: number; batchSize: number };

const job = workerData as Job;
const port = parentPort!;
const log = await createPostgresEventLog({ url: job.url, poolSize: 3 });

function batchOf(n: number, seq: number): Envelope[] {
  const t = nowMs();
  return Array.from({ length: n }, (_, i) => makeEvent(BenchSent, { seq: seq + i, t }, 'bench'));
}

if (job.role === 'produce') {
  port.postMessage({ type: 'ready' });
  await new Promise((r) => port.once('message', r));
  const started = nowMs();
  for (let sent = 0; sent < job.count; sent += job.batch) await log.publish(batchOf(Math.min(job.batch, job.count - sent), sent));
  port.postMessage({ type: 'done', ms: nowMs() - started });
} else if (job.role === 'steady') {
  port.postMessage({ type: 'ready' });
  await new Promise((r) => port.once('message', r));
  // One event per tick at the target rate; the schedule is absolute so a slow append does not drift it.
  const interval = 1000 / job.rate;
  const total = Math.round(job.rate * job.seconds);
  const started = nowMs();
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait - 0.5));
    while (nowMs() < due); // the last half-millisecond by spinning: timers are ~1 ms coarse
    await log.publish(batchOf(1, i));
  }
  port.postMessage({ type: 'done', ms: nowMs() - started });
} else {
  const latencies: number[] = [];
  let first = 0;
  const c = log.subscribe({ name: job.name, types: ['bench.Sent'], initialState: () => null, batchSize: job.batchSize, pollIntervalMs: 100 }, (e) => {
    if (first === 0) first = nowMs();
    latencies.push(nowMs() - (e.payload as { t: number }).t);
  });
  await c.ready;
  port.postMessage({ type: 'ready' });
  while (c.stats().handled < job.expect) await new Promise((r) => setTimeout(r, 2));
  const last = nowMs();
  await c.stop();
  port.postMessage({ type: 'done', handled: c.stats().handled, first, last, latencies });
}
await log.close();
