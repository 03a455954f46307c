// One incarnation of an actor: a worker from boot to exit. Boot, start, heartbeat, and the reading of
// how it ended (stopped as asked, fenced off by a newer instance, or crashed: how, and after how long).
import type { ErrorModel } from '../../protocol/index.ts';
import { EXIT, type StartParams } from '../actor/protocol.ts';
import { startHeartbeat } from './heartbeat.ts';
import { crashModel } from './lifecycle.ts';
import { WorkerExitedError, type WorkerExit, type WorkerHandle } from './worker-handle.ts';

export interface RunnerTiming {
  readonly pollIntervalMs: number;
  readonly heartbeatMs: number;
  readonly hangTimeoutMs: number;
  /** Worker boot plus the actor's start(); a start that takes longer is a crash. */
  readonly startTimeoutMs: number;
  /** How long a graceful stop may take before the thread is terminated. */
  readonly stopGraceMs: number;
}

export type Outcome = { type: 'crashed'; error: ErrorModel; ranForMs: number } | { type: 'superseded' } | { type: 'stopped' };

export interface IncarnationOptions {
  readonly handle: WorkerHandle;
  readonly params: StartParams;
  readonly timing: RunnerTiming;
  /** True once the runner has asked this worker to go (stop, restart, lease lost): its exit is then no crash. */
  expectedExit(): boolean;
  /** The actor's start() succeeded. */
  onRunning(): Promise<void>;
}

export async function runIncarnation(o: IncarnationOptions): Promise<Outcome> {
  const { handle, timing } = o;
  const startedAt = performance.now();
  let hung: ErrorModel | null = null;
  let stopHeartbeat = () => {};
  try {
    // Boot (loading the worker's modules) is not watched by the hang timeout: 240-300 ms here when idle
    // (5 runs), several times that with both cores busy.
    await withTimeout(handle.api.health(), timing.startTimeoutMs, 'boot');
    stopHeartbeat = startHeartbeat({
      probe: () => handle.api.health(),
      intervalMs: timing.heartbeatMs,
      timeoutMs: timing.hangTimeoutMs,
      onHang: (silentMs) => {
        hung = crashModel('hung', null, `no health answer for ${silentMs} ms (hang timeout ${timing.hangTimeoutMs} ms): the event loop is blocked; terminated`);
        void handle.terminate();
      },
    });
    const started = await withTimeout(handle.api.start(o.params), timing.startTimeoutMs, 'start');
    if (!started.ok) {
      stopHeartbeat();
      await handle.terminate();
      if (o.expectedExit()) return { type: 'stopped' };
      return { type: 'crashed', error: crashModel(started.error.code ?? 'start_failed', started.error, 'start failed'), ranForMs: 0 };
    }
  } catch (error) {
    stopHeartbeat();
    const exit = await handle.terminate();
    if (o.expectedExit()) return { type: 'stopped' };
    if (hung) return { type: 'crashed', error: hung, ranForMs: 0 };
    if (error instanceof WorkerExitedError) return classify(exit, 0);
    return { type: 'crashed', error: crashModel('start_timeout', null, (error as Error).message), ranForMs: 0 };
  }
  if (!o.expectedExit()) await o.onRunning();
  const exit = await handle.exited;
  stopHeartbeat();
  if (o.expectedExit()) return { type: 'stopped' };
  if (hung) return { type: 'crashed', error: hung, ranForMs: performance.now() - startedAt };
  return classify(exit, performance.now() - startedAt);
}

function classify(exit: WorkerExit, ranForMs: number): Outcome {
  if (exit.code === EXIT.superseded) return { type: 'superseded' };
  const code = exit.code === EXIT.handlerFailed ? 'handler_failed' : 'worker_exited';
  return { type: 'crashed', error: crashModel(code, exit.error, `the worker exited with code ${exit.code}`), ranForMs };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the worker's ${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
