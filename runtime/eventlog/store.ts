import type { CommonQueryMethods } from 'slonik';
import type { Cursor, Envelope, ErrorModel } from '../../protocol/index.ts';

/** A row as read from the log, before validation: its cursor and the envelope-shaped object. */
export interface RawLogRow {
  readonly cursor: Cursor;
  readonly raw: Record<string, unknown>;
}

export interface LoadedOffset {
  readonly cursor: Cursor;
  readonly state: unknown;
  /** The event the handler last failed on since the last commit, and how many times. */
  readonly failing: { readonly eventId: string; readonly attempts: number } | null;
}

export interface ReadPage {
  /** The wanted rows of the page (the consumer's types), in log order. */
  readonly rows: RawLogRow[];
  /** The last row the page covered, wanted or not: where the offset moves once the page is handled. Null: nothing new. */
  readonly last: Cursor | null;
  /** (Empty pages only) committed rows for this consumer exist past the horizon: an open transaction holds them back. */
  readonly blocked: boolean;
}

export interface DeadLetter {
  readonly row: RawLogRow;
  readonly error: ErrorModel;
  readonly attempts: number;
}

export type AdvanceOutcome = 'ok' | 'offset_moved' | 'lease_lost';

/** One consuming transaction: what the consumer loop needs from a storage, Postgres or memory. */
export interface ConsumerTransaction {
  readonly db: CommonQueryMethods | null;
  /** Events already checked with assertAppendable (when they were emitted); a store may send them with `advance`, which always follows. */
  append(events: readonly Envelope[]): Promise<void>;
  deadLetter(items: readonly DeadLetter[]): Promise<void>;
  /** Compare-and-set: moves the offset from `prev` to `next` only if it is still at `prev` (and the lease holds). `KEEP_STATE`: leave the stored snapshot as it is. */
  advance(prev: Cursor, next: Cursor, state: unknown, handled: number): Promise<AdvanceOutcome>;
}

/** The storage side of a consumer; `runConsumerLoop` is the same algorithm over every store. */
export interface ConsumerStore {
  load(): Promise<LoadedOffset>;
  /** Count one more failure of the handler on `eventId`, outside any batch (it must survive a crash). Returns the count. */
  recordFailure(eventId: string): Promise<number>;
  /** The next `limit` rows after `cursor` whose transactions have all finished (behind the horizon), in (tx, position) order. */
  read(cursor: Cursor, limit: number): Promise<ReadPage>;
  /** Runs `fn` in one transaction; a throw rolls everything back. `afterCommit` wakes other consumers. */
  transaction<T>(fn: (tx: ConsumerTransaction) => Promise<T>): Promise<T>;
  /** Resolves on a wake-up (NOTIFY, reconnect, interrupt) or after `ms`; a wake-up that came while nobody waited is kept. */
  waitForWake(ms: number): Promise<'woken' | 'timeout'>;
  /** Wake this consumer's wait now (stop). */
  interrupt(): void;
  /** Wake other consumers after a commit that appended events. */
  notify(types?: readonly string[]): void;
  /** Is this error the database's (connection lost, shutdown), not the handler's? */
  isInfrastructureError(error: unknown): boolean;
  close(): Promise<void>;
}

/** Passed as the state of an offset-only advance (no handler ran): the stored snapshot stays as it is. */
export const KEEP_STATE: unique symbol = Symbol('keep state');
