// Shared by the gateway benchmark's threads (test/bench/gateway.bench.ts): a request/reply channel between
// the main thread and each worker, the time stamp every measured event carries, and percentiles.
//
// The stamp. A measured event names its order `gwbench:<seq>:<t>`, t the append time in ms
// (performance.timeOrigin + performance.now(), comparable across the threads of one process). The order id
// is carried from orders.Accepted into ui.OrderStatus by the gateway's projection and onto the wire, so
// whoever sees an event (the hub in the server thread, an SSE client) computes its latency on the spot.
import { parentPort, Worker } from 'node:worker_threads';

export const nowMs = (): number => performance.timeOrigin + performance.now();

const PREFIX = 'gwbench:';

export function stampOrderId(seq: number, t: number): string {
  return `${PREFIX}${seq}:${t.toFixed(3)}`;
}

/** The append time in a stamped order id; null for any other id (warm-up events are stamped with seq < 0). */
export function stampOf(orderId: unknown): { seq: number; t: number } | null {
  if (typeof orderId !== 'string' || !orderId.startsWith(PREFIX)) return null;
  const [seq, t] = orderId.slice(PREFIX.length).split(':');
  return { seq: Number(seq), t: Number(t) };
}

export interface Spread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function spread(samples: ArrayLike<number>): Spread {
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { n: sorted.length, p50: round(at(50)), p99: round(at(99)), max: round(sorted[sorted.length - 1] ?? NaN) };
}

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** A meter of this thread's CPU time (user + system): each call returns the share of one core used since the last. */
export function threadCpuMeter(): () => number {
  let cpu = process.threadCpuUsage();
  let at = performance.now();
  return () => {
    const used = process.threadCpuUsage(cpu);
    const now = performance.now();
    const share = (used.user + used.system) / 1000 / (now - at);
    cpu = process.threadCpuUsage();
    at = now;
    return share;
  };
}

type Handlers = Record<string, (arg: any) => unknown>;

/** Worker side: answer the main thread's calls with these handlers. */
export function serve(handlers: Handlers): void {
  const port = parentPort!;
  port.on('message', async ({ id, name, arg }: { id: number; name: string; arg: unknown }) => {
    try {
      port.postMessage({ id, ok: true, value: await handlers[name]!(arg) });
    } catch (error) {
      port.postMessage({ id, ok: false, error: (error as Error).stack ?? String(error) });
    }
  });
  port.postMessage({ id: 0, ok: true, value: 'ready' });
}

/** Main side: a worker running `file` (which calls serve), and call(name, arg) → its handler's value. */
export async function startWorker(file: URL, workerData: unknown = {}) {
  const worker = new Worker(file, { workerData });
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 1;
  let failed: Error | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    waiting.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', ({ id, ok, value, error }: { id: number; ok: boolean; value: unknown; error: string }) => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (ok) w?.resolve(value);
    else w?.reject(new Error(`${file.pathname.split('/').pop()}: ${error}`));
  });
  worker.on('error', (error) => {
    failed = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  });
  await ready;
  return {
    call<T>(name: string, arg?: unknown): Promise<T> {
      if (failed) return Promise.reject(failed);
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ id, name, arg });
      });
    },
    terminate: () => worker.terminate(),
  };
}
