import type { CommonQueryMethods } from 'slonik';
import type { Cursor, Envelope, ErrorModel, LoggedEvent } from '../../protocol/index.ts';

/**
 * The event log seen by actors. Two implementations: Postgres (outbox + consumer_offsets) and memory
 * (one thread, no database, for unit tests and sweeps). Actor code never knows which one it runs on.
 */
export interface EventLog {
  /** Append events in a transaction of their own; wakes consumers after commit. */
  publish(events: readonly Envelope[]): Promise<void>;
  /**
   * Run `fn` in one transaction: its writes (Postgres: `tx.db`) and the events it appends commit together
   * or not at all; consumers are woken once, after commit.
   */
  transaction<T>(fn: (tx: LogTransaction) => Promise<T>): Promise<T>;
  /** Start a consumer; it runs until `stop()` or until it finds it has been superseded. */
  subscribe<S>(options: ConsumerOptions<S>, handler: EventHandler<S>): Consumer<S>;
  /** The newest cursor consumers may see now (behind the transaction horizon), and how many events lie after a cursor. */
  lag(consumer: string): Promise<ConsumerLag>;
  close(): Promise<void>;
}

export interface LogTransaction {
  append(events: readonly Envelope[]): Promise<void>;
  /** The transaction's connection for business writes (Postgres only; null in memory). */
  readonly db: CommonQueryMethods | null;
}

export interface Fencing {
  /** The lease row checked by the offset compare-and-set: a consumer whose lease was taken over cannot commit. */
  readonly actorId: string;
  readonly holder: string;
  readonly token: bigint;
}

export interface ConsumerOptions<S> {
  /** The consumer_offsets key; one per actor instance. */
  readonly name: string;
  /** Exact types (`demo.Ping`), namespace wildcards (`demo.*`) or `*`. */
  readonly types: readonly string[];
  readonly initialState: () => S;
  /** Events per batch (one transaction each). Default 500. */
  readonly batchSize?: number;
  /** Backstop poll when no NOTIFY arrives. Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Times a handler may throw on one event before it goes to dead_letters. Default 3. */
  readonly maxAttempts?: number;
  /**
   * What a handler's throw does once the batch is rolled back. 'retry' (default): retry in place after a
   * short backoff. 'crash': the consumer stops with the error (its actor crashes and is restarted from the
   * committed offset). Either way the attempts are counted in the database, across crashes, and after
   * `maxAttempts` the event goes to dead_letters and the consumer goes on.
   */
  readonly onHandlerError?: 'retry' | 'crash';
  /**
   * Move the offset past unwanted events when the consumer goes idle (default true, so lag reads 0).
   * False for a consumer name shared by several processes (the supervisors' control plane), where each
   * idle commit would supersede the others: it then commits with its own events, or every 20 pages.
   */
  readonly commitWhenIdle?: boolean;
  /**
   * After a wake-up, wait this long before reading (default 0), so events gather into fewer, larger
   * batches: for consumers off the critical path (WallE), which then do not compete for the CPU with the
   * others at every step of a round trip. Adds up to this much latency to the consumer itself.
   */
  readonly lingerMs?: number;
  readonly fencing?: Fencing;
  /**
   * Where a consumer with no stored offset starts: after this cursor (default: the origin of the log). A
   * run's strategy actor starts after the event that started the run instead of reading the whole log;
   * every event the run causes is appended by a transaction that began after that one committed, so it
   * sorts after it.
   */
  readonly startAfter?: Cursor;
  /** Name of the producer written into emitted events. Defaults to the consumer name. */
  readonly producer?: string;
  readonly onEvent?: (event: ConsumerNotice) => void;
}

export type ConsumerNotice =
  | { type: 'batch'; count: number; cursor: Cursor; ms: number }
  | { type: 'dead_letter'; position: bigint; error: ErrorModel }
  | { type: 'retry'; attempt: number; error: ErrorModel }
  | { type: 'db_error'; error: ErrorModel; retryInMs: number }
  | { type: 'superseded'; reason: 'offset_moved' | 'lease_lost' }
  | { type: 'connected' };

export interface HandlerContext<S> {
  /** The actor's state: a working copy, snapshotted with the offset when the batch commits, discarded if it fails. */
  state: S;
  /** Queue an event; it is appended in the batch's transaction. */
  emit(event: Envelope): void;
  /** The batch transaction's connection (Postgres) for the handler's table writes; null in memory. */
  readonly db: CommonQueryMethods | null;
}

export type EventHandler<S> = (event: LoggedEvent, ctx: HandlerContext<S>) => void | Promise<void>;

export interface Consumer<S = unknown> {
  readonly name: string;
  /** Resolves once the stored offset and state are loaded and the consumer is listening. */
  readonly ready: Promise<void>;
  /** Resolves when the consumer stops, with why. */
  readonly done: Promise<ConsumerExit>;
  /** Stop after the current batch commits or rolls back; never commits half a batch. */
  stop(): Promise<ConsumerExit>;
  stats(): ConsumerStats;
  /** The state as of the last commit. */
  state(): S;
}

export type ConsumerExit = { reason: 'stopped' } | { reason: 'superseded'; detail: 'offset_moved' | 'lease_lost' };

export interface ConsumerStats {
  readonly handled: number;
  readonly batches: number;
  readonly deadLetters: number;
  readonly cursor: Cursor;
  readonly lastBatchAt: number | null;
}

export interface ConsumerLag {
  readonly cursor: Cursor;
  /** Events after the consumer's cursor (all types), visible or not yet visible. */
  readonly behind: number;
}

/** A consumer found that its offset or lease moved: a newer instance owns it. Rolls the batch back. */
export class SupersededError extends Error {
  readonly detail: 'offset_moved' | 'lease_lost';
  constructor(detail: 'offset_moved' | 'lease_lost') {
    super(detail === 'lease_lost' ? 'the actor lease was taken over by another instance' : 'the consumer offset was advanced by another instance');
    this.name = 'SupersededError';
    this.detail = detail;
  }
}

/** Match a type against the consumer's patterns (`*`, `ns.*`, exact). */
export function typeMatches(type: string, patterns: readonly string[]): boolean {
  for (const p of patterns) {
    if (p === '*' || p === type) return true;
    if (p.endsWith('.*') && type.startsWith(p.slice(0, -1))) return true;
  }
  return false;
}

/** The same patterns as SQL LIKE patterns. */
export function typePatternsToLike(patterns: readonly string[]): string[] {
  return patterns.map((p) => (p === '*' ? '%' : p.endsWith('.*') ? `${p.slice(0, -1)}%` : p));
}
