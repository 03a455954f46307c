import { compareCursors, toErrorModel, validateEnvelope, type Cursor, type Envelope, type ErrorModel, type LoggedEvent } from '../../protocol/index.ts';
import { assertAppendable } from './appendable.ts';
import { KEEP_STATE } from './store.ts';
import type { DeadLetter, RawLogRow, ConsumerStore } from './store.ts';
import type { Consumer, ConsumerExit, ConsumerOptions, ConsumerStats, EventHandler, HandlerContext } from './types.ts';
import { SupersededError } from './types.ts';

/** A handler threw on the event at `index` of the batch. */
class HandlerFailure extends Error {
  readonly index: number;
  override readonly cause: unknown;
  constructor(index: number, cause: unknown) {
    super('handler failed');
    this.index = index;
    this.cause = cause;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Pages with nothing wanted read before the offset is moved past them anyway. */
const SKIP_COMMIT_PAGES = 20;
/** The wait between reads while committed rows are held back behind an open transaction. */
const BLOCKED_RETRY_MS = 2;
/** An idle consumer moves its offset past unwanted events at most this often. */
const IDLE_COMMIT_MS = 200;

/**
 * The consumer algorithm, the same over Postgres and memory: read a page behind the horizon, handle it
 * in one transaction (handler writes + emitted events + dead letters + state snapshot + compare-and-set
 * of the offset), commit, repeat. A handler that throws gets the batch rolled back; its throws on that
 * event are counted in the store (so the count outlives a crash), and the batch is retried in place or,
 * in crash mode, the consumer stops with the error so that its actor restarts from the committed offset.
 * Events before the failing one are committed alone; after `maxAttempts` the failing event goes to
 * dead_letters and the consumer goes on. Database errors are retried without limit, with backoff:
 * events are delayed, never lost.
 */
export function runConsumerLoop<S>(store: ConsumerStore, options: ConsumerOptions<S>, handler: EventHandler<S>): Consumer<S> {
  const batchSize = options.batchSize ?? 500;
  // A page covers the next rows of every type; at least 1,000 so a consumer of rare types does not read
  // a page per handful of rows. Its wanted rows are handled in batches of `batchSize`.
  const scanLimit = Math.max(batchSize, 1000);
  const pollMs = options.pollIntervalMs ?? 500;
  const lingerMs = options.lingerMs ?? 0;
  const maxAttempts = options.maxAttempts ?? 3;
  const crashOnThrow = options.onHandlerError === 'crash';
  const commitWhenIdle = options.commitWhenIdle ?? true;
  const notice = options.onEvent ?? (() => {});
  let stopping = false;
  let cursor: Cursor = { tx: 0n, position: 0n };
  let state: S = options.initialState();
  /** When the last batch (or offset-only move) committed. */
  let lastCommitAt = 0;
  const attempts = new Map<string, number>();
  /** Events to dead-letter instead of handling: they threw maxAttempts times. */
  const poison = new Map<string, ErrorModel>();
  const stats = { handled: 0, batches: 0, deadLetters: 0, lastBatchAt: null as number | null };

  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));

  /**
   * Run `what`, retrying database errors with backoff. `settled`, asked before each retry, may say the
   * work is done after all (a COMMIT can reach the server just before the connection breaks).
   */
  async function withDbRetry<T>(what: () => Promise<T>, settled?: () => Promise<boolean>): Promise<T | undefined> {
    // Reconnect schedule 100, 200, 400 … 5000 ms: a restarted Postgres is back within a few seconds.
    for (let attempt = 0; !stopping; attempt++) {
      try {
        return await what();
      } catch (error) {
        if (error instanceof SupersededError || error instanceof HandlerFailure || !store.isInfrastructureError(error)) throw error;
        const retryInMs = Math.min(100 * 2 ** attempt, 5000);
        notice({ type: 'db_error', error: toErrorModel(error, null, 'database_unavailable'), retryInMs });
        await store.waitForWake(retryInMs);
        if (settled && (await withDbRetry(settled))) return undefined;
      }
    }
    return undefined;
  }

  /** Commit a batch; if its COMMIT's fate was lost with the connection, the stored offset tells it. */
  async function commitBatchOnce(rows: readonly RawLogRow[], end?: Cursor): Promise<void> {
    const target = end ?? rows[rows.length - 1]!.cursor;
    await withDbRetry(
      () => commitBatch(rows, target),
      async () => {
        const stored = await store.load();
        if (compareCursors(stored.cursor, target) !== 0) return false; // not committed: retry it
        // Committed: take the stored snapshot (the working copy of that run was not kept).
        cursor = target;
        state = stored.state as S;
        stats.handled += rows.length;
        stats.batches++;
        store.notify(); // it may have appended events
        return true;
      },
    );
  }

  /**
   * Handle `rows` and move the offset to `end` (default: the last row) in one transaction.
   * Throws HandlerFailure, SupersededError or a database error; a throw commits nothing.
   */
  async function commitBatch(rows: readonly RawLogRow[], end: Cursor = rows[rows.length - 1]!.cursor): Promise<void> {
    const started = performance.now();
    // An offset-only move (no wanted rows) runs no handler: the state is neither copied nor rewritten.
    const offsetOnly = rows.length === 0;
    const working = offsetOnly ? state : structuredClone(state);
    let handled = 0;
    let finalState: S = working;
    const emitted = await store.transaction(async (tx) => {
      const queue: Envelope[] = [];
      const dead: DeadLetter[] = [];
      const ctx: HandlerContext<S> = { state: working, emit: (e) => void queue.push(assertAppendable(e)), db: tx.db };
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        const checked = validateEnvelope(row.raw);
        if (!checked.ok) {
          dead.push({ row, error: checked.error, attempts: 0 });
          continue;
        }
        const poisonError = poison.get(checked.value.id);
        if (poisonError) {
          dead.push({ row, error: poisonError, attempts: attempts.get(checked.value.id) ?? maxAttempts });
          continue;
        }
        const event: LoggedEvent = { ...checked.value, cursor: row.cursor };
        try {
          await handler(event, ctx);
        } catch (error) {
          // The database going away under the handler's own writes is not the event's fault: retry the
          // batch like any database error, never count it towards dead-lettering the event.
          if (store.isInfrastructureError(error)) throw error;
          throw new HandlerFailure(i, error);
        }
        handled++;
      }
      if (queue.length > 0) await tx.append(queue);
      if (dead.length > 0) await tx.deadLetter(dead);
      finalState = ctx.state;
      const outcome = await tx.advance(cursor, end, offsetOnly ? KEEP_STATE : finalState, rows.length);
      if (outcome !== 'ok') throw new SupersededError(outcome);
      for (const d of dead) notice({ type: 'dead_letter', position: d.row.cursor.position, error: d.error });
      stats.deadLetters += dead.length;
      return queue.map((e) => e.type);
    });
    state = finalState;
    cursor = end;
    lastCommitAt = performance.now();
    stats.handled += handled;
    stats.batches++;
    stats.lastBatchAt = Date.now();
    for (const row of rows) {
      attempts.delete(String(row.raw.id));
      poison.delete(String(row.raw.id));
    }
    if (emitted.length > 0) store.notify(emitted);
    notice({ type: 'batch', count: rows.length, cursor, ms: performance.now() - started });
  }

  /** Handle a page, splitting it around a failing event until every row is committed or dead-lettered. */
  /** Handle a page's wanted rows in batches of `batchSize`, the last batch moving the offset to `end`. */
  async function handlePage(page: readonly RawLogRow[], end: Cursor): Promise<void> {
    if (page.length === 0) return handleBatch([], end); // nothing wanted: only the offset moves
    for (let i = 0; i < page.length && !stopping; i += batchSize) {
      const chunk = page.slice(i, i + batchSize);
      await handleBatch(chunk, i + batchSize >= page.length ? end : chunk[chunk.length - 1]!.cursor);
    }
  }

  /** Handle one batch, splitting it around a failing event until every row is committed or dead-lettered. */
  async function handleBatch(batch: readonly RawLogRow[], end: Cursor): Promise<void> {
    let rows = batch;
    while (!stopping) {
      try {
        await commitBatchOnce(rows, end);
        return;
      } catch (error) {
        if (!(error instanceof HandlerFailure)) throw error;
        const id = String(rows[error.index]!.raw.id);
        const model = toErrorModel(error.cause, id, 'handler_failed');
        const n = (await withDbRetry(() => store.recordFailure(id))) ?? (attempts.get(id) ?? 0) + 1;
        attempts.set(id, n);
        if (n >= maxAttempts) poison.set(id, { ...model, message: `handler threw ${n} times: ${model.message}` });
        else if (crashOnThrow) throw error.cause; // rolled back; the restarted actor resumes at the committed offset
        else notice({ type: 'retry', attempt: n, error: model });
        if (error.index > 0) {
          // Commit what succeeded before the failing event, then come back to it alone.
          const before = rows.slice(0, error.index);
          await commitBatchOnce(before);
          rows = rows.slice(error.index);
        }
        if (n < maxAttempts) await sleep(Math.min(50 * 2 ** n, 1000));
      }
    }
  }

  async function run(): Promise<ConsumerExit> {
    const loaded = await withDbRetry(() => store.load());
    if (loaded) {
      cursor = loaded.cursor;
      if (loaded.state !== null && loaded.state !== undefined) state = loaded.state as S;
      if (loaded.failing) {
        attempts.set(loaded.failing.eventId, loaded.failing.attempts);
        if (loaded.failing.attempts >= maxAttempts) {
          poison.set(loaded.failing.eventId, { code: 'handler_failed', message: `handler threw ${loaded.failing.attempts} times (the actor crashed on it)`, details: undefined, correlation_id: loaded.failing.eventId });
        }
      }
    }
    markReady();
    // Committed events held behind an open transaction's horizon get no second NOTIFY when that transaction
    // ends without appending: look again after BLOCKED_RETRY_MS rather than a whole poll interval.
    let quickRetryMs = 0;
    // How far reading has gone past the committed offset over pages with nothing wanted. Such pages are
    // not committed one by one (a consumer of rare types beside 25,000 events/s of others would commit
    // hundreds of times a second, and control consumers shared by supervisors would supersede each other):
    // the next batch, every SKIP_COMMIT_PAGES pages, or going idle moves the offset there.
    let readTo: Cursor = cursor;
    let skippedPages = 0;
    while (!stopping) {
      const page = await withDbRetry(() => store.read(readTo, scanLimit));
      if (page === undefined) break;
      if (page.last && page.rows.length === 0 && ++skippedPages < SKIP_COMMIT_PAGES) {
        readTo = page.last;
        continue;
      }
      if (page.last) {
        // Read again at once: more may have committed meanwhile, and only an empty page tells `blocked`.
        await handlePage(page.rows, page.last);
        readTo = cursor;
        skippedPages = 0;
        continue;
      }
      // Idle: record how far we read, so lag reads 0 — but at most every IDLE_COMMIT_MS. Every other
      // consumer's commit wakes this one; an offset write (a transaction and a WAL flush) per wake-up of
      // every uninterested consumer would cost more than the work it watches.
      let idleCommitInMs = 0;
      if (commitWhenIdle && compareCursors(readTo, cursor) > 0) {
        const since = performance.now() - lastCommitAt;
        if (since >= IDLE_COMMIT_MS) {
          await handlePage([], readTo);
          readTo = cursor;
          skippedPages = 0;
        } else idleCommitInMs = IDLE_COMMIT_MS - since;
      }
      // Held back by an open transaction: its commit may wake nobody (a batch that appends nothing sends no
      // NOTIFY), so look again in BLOCKED_RETRY_MS (a read is cheap; the transactions ahead are short).
      quickRetryMs = page.blocked ? Math.min(BLOCKED_RETRY_MS, pollMs) : 0;
      const waitMs = Math.min(quickRetryMs > 0 ? quickRetryMs : pollMs, idleCommitInMs > 0 ? Math.ceil(idleCommitInMs) : Infinity);
      // A consumer off the critical path (WallE's table writes) lets events gather after a wake-up, so it
      // handles many in one batch instead of competing for the CPU at every hop of the others.
      if ((await store.waitForWake(waitMs)) === 'woken' && lingerMs > 0 && !stopping) await sleep(lingerMs);
    }
    return { reason: 'stopped' };
  }

  const done: Promise<ConsumerExit> = run().catch((error: unknown) => {
    markReady();
    if (error instanceof SupersededError) {
      notice({ type: 'superseded', reason: error.detail });
      return { reason: 'superseded', detail: error.detail } as const;
    }
    throw error;
  });

  return {
    name: options.name,
    ready,
    done,
    async stop() {
      stopping = true;
      store.interrupt();
      return done;
    },
    stats(): ConsumerStats {
      return { ...stats, cursor };
    },
    state: () => state,
  };
}
