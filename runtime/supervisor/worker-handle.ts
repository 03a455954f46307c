// One actor worker thread as the supervisor holds it: spawned with heap limits, wrapped with comlink, and
// watched. comlink leaves a call pending for ever when the thread dies, so every call here races the
// thread's exit and is rejected with WorkerExitedError instead.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';
import { toWireError, type ExitNotice, type WireError, type WorkerApi } from '../actor/protocol.ts';

const WORKER_ENTRY = new URL('../actor/worker.ts', import.meta.url);

export interface WorkerExit {
  readonly code: number;
  /** Why it died when it did on its own: the exit notice it sent, an uncaught error, or an out-of-memory. */
  readonly error: WireError | null;
  /** We ended it with terminate(). */
  readonly terminated: boolean;
}

export class WorkerExitedError extends Error {
  readonly exit: WorkerExit;
  constructor(call: string, exit: WorkerExit) {
    super(`the worker exited (code ${exit.code}${exit.error ? `, ${exit.error.message}` : ''}) before answering ${call}()`);
    this.name = 'WorkerExitedError';
    this.exit = exit;
  }
}

export interface WorkerHandle {
  readonly name: string;
  /** Every call rejects with WorkerExitedError if the thread exits first. */
  readonly api: WorkerApi;
  readonly exited: Promise<WorkerExit>;
  readonly alive: boolean;
  /** End the thread now (a hung loop included); resolves once it is gone. */
  terminate(): Promise<WorkerExit>;
}

export interface SpawnOptions {
  readonly name: string;
  /** V8 old-generation heap cap: a leaking actor dies with ERR_WORKER_OUT_OF_MEMORY instead of taking the process down. */
  readonly maxOldGenerationSizeMb: number;
  /** For tests of the handle itself; defaults to the actor worker entry. */
  readonly entry?: URL;
}

export function spawnWorker(options: SpawnOptions): WorkerHandle {
  const channel = new MessageChannel();
  const worker = new Worker(options.entry ?? WORKER_ENTRY, {
    name: options.name,
    workerData: { notices: channel.port2 },
    transferList: [channel.port2],
    resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb },
  });
  let alive = true;
  let terminated = false;
  let uncaught: WireError | null = null;

  // 'error' (uncaught exception, out of memory) always comes before 'exit'; keep it for the exit record.
  worker.on('error', (error) => {
    uncaught = toWireError(error);
  });
  // Calls in flight, rejected when the thread exits. A set rather than a race against one long-lived
  // "exited" promise: that would keep a reaction per call (a heartbeat a second) for the worker's whole life.
  const pending = new Set<(exit: WorkerExit) => void>();
  const exited = new Promise<WorkerExit>((resolve) => {
    worker.once('exit', (code) => {
      alive = false;
      // The notice was posted before the thread exited, so it is already queued: read it synchronously.
      let notice: ExitNotice | null = null;
      for (let m = receiveMessageOnPort(channel.port1); m; m = receiveMessageOnPort(channel.port1)) notice = m.message as ExitNotice;
      channel.port1.close();
      const exit = { code, error: notice?.error ?? uncaught, terminated };
      for (const fail of pending) fail(exit);
      pending.clear();
      resolve(exit);
    });
  });

  const remote = Comlink.wrap<WorkerApi>(nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]));
  function guard<K extends keyof WorkerApi>(method: K): WorkerApi[K] {
    return ((...args: unknown[]) => {
      if (!alive) return exited.then((exit) => Promise.reject(new WorkerExitedError(method, exit)));
      return new Promise((resolve, reject) => {
        const fail = (exit: WorkerExit) => reject(new WorkerExitedError(method, exit));
        pending.add(fail);
        (remote[method] as unknown as (...a: unknown[]) => Promise<unknown>)(...args).then(
          (value) => (pending.delete(fail), resolve(value)),
          (error: unknown) => (pending.delete(fail), reject(error)),
        );
      });
    }) as WorkerApi[K];
  }
  const api: WorkerApi = { start: guard('start'), stop: guard('stop'), health: guard('health'), stats: guard('stats') };

  return {
    name: options.name,
    api,
    exited,
    get alive() {
      return alive;
    },
    async terminate() {
      if (alive) {
        terminated = true;
        await worker.terminate();
      }
      return exited;
    },
  };
}
