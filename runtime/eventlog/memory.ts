// The event log in memory: one thread, no database, same interface and same consumer algorithm as the
// Postgres log (for unit tests and sweeps). A commit is atomic; all of its events share one `tx`.
import { compareCursors, type Cursor, type Envelope } from '../../protocol/index.ts';
import { assertAppendable } from './appendable.ts';
import { runConsumerLoop } from './consumer-loop.ts';
import { KEEP_STATE, type AdvanceOutcome, type ConsumerStore, type ConsumerTransaction, type DeadLetter, type RawLogRow } from './store.ts';
import { SupersededError, typeMatches, type ConsumerLag, type EventLog, type LogTransaction } from './types.ts';
import { WakeSignal } from './wake-signal.ts';

interface Staged {
  events: Envelope[];
  dead: { consumer: string; letter: DeadLetter }[];
  advance: { consumer: string; prev: Cursor; next: Cursor; state: unknown } | null;
}

export interface MemoryEventLog extends EventLog {
  /** Everything appended so far, in log order (for tests and sweeps). */
  events(): RawLogRow[];
  deadLetters(): { consumer: string; letter: DeadLetter }[];
  /** Append a row as it is, unvalidated, the way raw SQL could (for tests of dead letters). */
  appendRaw(raw: Record<string, unknown>): void;
  /** The storage side of a consumer, for tests of the consumer algorithm (runConsumerLoop) under faults. */
  consumerStore(name: string, types: readonly string[]): ConsumerStore;
}

export function createMemoryEventLog(): MemoryEventLog {
  const rows: RawLogRow[] = [];
  const ids = new Set<string>();
  const offsets = new Map<string, { cursor: Cursor; state: unknown }>();
  const failing = new Map<string, { eventId: string; attempts: number }>();
  const dead: { consumer: string; letter: DeadLetter }[] = [];
  const signals = new Set<WakeSignal>();
  let lastTx = 0n;



  function commit(staged: Staged): void {
    if (staged.advance) {
      const current = offsets.get(staged.advance.consumer)?.cursor ?? { tx: 0n, position: 0n };
      if (compareCursors(current, staged.advance.prev) !== 0) throw new SupersededError('offset_moved');
    }
    if (staged.events.length > 0) {
      const tx = ++lastTx;
      for (const e of staged.events) {
        if (ids.has(e.id)) continue; // appending an id twice is a no-op, as ON CONFLICT DO NOTHING
        ids.add(e.id);
        rows.push({ cursor: { tx, position: BigInt(rows.length + 1) }, raw: e as unknown as Record<string, unknown> }); // cloned when staged
      }
    }
    dead.push(...staged.dead);
    // The snapshot is kept as it is: the consumer loop hands its handler a copy of the state, never this object.
    if (staged.advance) {
      const keep = staged.advance.state === KEEP_STATE;
      offsets.set(staged.advance.consumer, { cursor: staged.advance.next, state: keep ? offsets.get(staged.advance.consumer)?.state ?? null : staged.advance.state });
    }
    if (staged.events.length > 0) for (const s of signals) s.wake();
  }

  /** `consumer` null: a producer's transaction, whose events are checked here; a consumer's were checked when emitted. */
  async function inTransaction<T>(consumer: string | null, fn: (tx: ConsumerTransaction) => Promise<T>): Promise<T> {
    const staged: Staged = { events: [], dead: [], advance: null };
    const tx: ConsumerTransaction = {
      db: null,
      async append(events) {
        if (consumer === null) events.forEach(assertAppendable);
        staged.events.push(...events.map((e) => structuredClone(e)));
      },
      async deadLetter(items) {
        staged.dead.push(...items.map((letter) => ({ consumer: consumer ?? '', letter })));
      },
      async advance(prev, next, state): Promise<AdvanceOutcome> {
        const current = offsets.get(consumer ?? '')?.cursor ?? { tx: 0n, position: 0n };
        if (compareCursors(current, prev) !== 0) return 'offset_moved';
        staged.advance = { consumer: consumer ?? '', prev, next, state };
        return 'ok';
      },
    };
    const result = await fn(tx);
    commit(staged);
    return result;
  }

  /** Index of the first row after `cursor` (rows are in cursor order: each commit takes the next tx). */
  function firstAfter(cursor: Cursor): number {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareCursors(rows[mid]!.cursor, cursor) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function storeFor(name: string, patterns: readonly string[], startAfter?: Cursor): ConsumerStore {
    const signal = new WakeSignal();
    signals.add(signal);
    return {
      async load() {
        const o = offsets.get(name);
        const f = failing.get(name);
        if (!o && startAfter) offsets.set(name, { cursor: startAfter, state: null });
        return { cursor: o?.cursor ?? startAfter ?? { tx: 0n, position: 0n }, state: o ? structuredClone(o.state) : null, failing: f ? { ...f } : null };
      },
      async recordFailure(eventId) {
        const f = failing.get(name);
        const attempts = f?.eventId === eventId ? f.attempts + 1 : 1;
        failing.set(name, { eventId, attempts });
        return attempts;
      },
      async read(cursor, limit) {
        const out: RawLogRow[] = [];
        let last: Cursor | null = null;
        let scanned = 0;
        for (let i = firstAfter(cursor); i < rows.length; i++) {
          const row = rows[i]!;
          if (scanned >= limit) break;
          scanned++;
          last = row.cursor;
          if (typeMatches(String(row.raw.type), patterns)) out.push({ cursor: row.cursor, raw: structuredClone(row.raw) });
        }
        return { rows: out, last, blocked: false };
      },
      transaction: (fn) => inTransaction(name, fn),
      waitForWake: (ms) => signal.wait(ms),
      interrupt: () => signal.wake(),
      notify: () => {},
      isInfrastructureError: () => false,
      async close() {
        signals.delete(signal);
      },
    };
  }

  const log: MemoryEventLog = {
    async publish(events) {
      await inTransaction(null, (tx) => tx.append(events));
    },
    async transaction(fn) {
      return inTransaction(null, (tx) => fn({ append: (events) => tx.append(events), db: null } satisfies LogTransaction));
    },
    subscribe(options, handler) {
      const store = storeFor(options.name, options.types, options.startAfter);
      const consumer = runConsumerLoop(store, options, handler);
      void consumer.done.finally(() => store.close()).catch(() => {});
      return consumer;
    },
    async lag(consumer): Promise<ConsumerLag> {
      const cursor = offsets.get(consumer)?.cursor ?? { tx: 0n, position: 0n };
      return { cursor, behind: rows.length - firstAfter(cursor) };
    },
    async close() {
      for (const s of signals) s.wake();
    },
    events: () => rows.map((r) => ({ cursor: r.cursor, raw: structuredClone(r.raw) })),
    deadLetters: () => [...dead],
    consumerStore: storeFor,
    appendRaw(raw) {
      const tx = ++lastTx;
      rows.push({ cursor: { tx, position: BigInt(rows.length + 1) }, raw: structuredClone(raw) });
      for (const s of signals) s.wake();
    },
  };
  return log;
}
