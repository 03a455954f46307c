// The control plane between the supervisor (main thread) and an actor's worker thread: start, stop,
// health, stats over comlink. Business data never crosses this boundary; it goes through the event log.
// Calls return results as data ({ok, value} | {ok:false, error}) so nothing depends on comlink's error cloning.

/** An error as plain data: what crosses the thread boundary instead of an Error object. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** A WeaverError's code, or e.g. ERR_WORKER_OUT_OF_MEMORY. */
  readonly code?: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: WireError };

export interface StartParams {
  readonly actorId: string;
  readonly kind: string;
  /** file: URL of the module whose default export is a `defineActor(...)` definition. */
  readonly moduleUrl: string;
  readonly config: unknown;
  /** 0 on an actor's first run; one more for each restart after a crash (actors.restarts). */
  readonly incarnation: number;
  readonly supervisorId: string;
  /** The lease's fencing token (int8, as a decimal string) the consumer's offset compare-and-set checks. */
  readonly fencing: string;
  readonly databaseUrl: string;
  readonly pollIntervalMs: number;
}

export interface StartInfo {
  readonly subscribed: boolean;
}

export interface Health {
  readonly ok: boolean;
  readonly handled: number;
  readonly lastBatchAt: number | null;
  readonly memory: { readonly heapUsedMb: number; readonly heapTotalMb: number };
}

export interface WorkerStats {
  readonly handled: number;
  readonly batches: number;
  readonly deadLetters: number;
  /** `tx.position`, the consumer's cursor; null for an actor without a subscription. */
  readonly cursor: string | null;
  readonly lastBatchAt: number | null;
}

export type StopReason = 'command' | 'shutdown' | 'restart' | 'lease_lost';

/** What the worker exposes through comlink. */
export interface WorkerApi {
  start(params: StartParams): Promise<Result<StartInfo>>;
  stop(reason: StopReason): Promise<Result<null>>;
  health(): Promise<Health>;
  stats(): Promise<WorkerStats>;
}

/**
 * Exit codes of an actor's worker, so the supervisor tells a crash from a fenced-off instance.
 * A worker that throws uncaught exits with 1; `process.exit(n)` in actor code gives n.
 */
export const EXIT = {
  /** Stopped on request. */
  stopped: 0,
  /** The consumer found its lease taken or its offset moved: another instance owns the actor. Not a crash. */
  superseded: 75,
  /** A handler threw (the batch rolled back) or the consumer died: a crash. */
  handlerFailed: 70,
} as const;

/** WireError.code of a start that failed because Postgres was unreachable (not the actor's fault). */
export const DATABASE_UNAVAILABLE = 'database_unavailable';

/** Sent on the worker's side channel just before it exits on its own, so the supervisor can record why. */
export interface ExitNotice {
  readonly type: 'exiting';
  readonly code: number;
  readonly error: WireError | null;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, stack: error.stack, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(error) };
}
