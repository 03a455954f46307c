import type { DatabasePool } from 'slonik';
import type { Cursor, Envelope } from '../../../protocol/index.ts';
import type { ConsumerStore } from '../store.ts';
import type { Fencing } from '../types.ts';
import { typePatternsToLike } from '../types.ts';
import { insertDeadLetters } from './dead-letters.ts';
import { isInfrastructureError } from './infrastructure-errors.ts';
import { typesOf, notifyOutbox } from './notify.ts';
import { advanceOffset, loadOffset, recordHandlerFailure } from './offsets.ts';
import { readEventsBehindHorizon } from './read.ts';
import type { OutboxWakeups } from './wakeups.ts';

/** One consumer's view of the Postgres log: reads behind the horizon, batches in one transaction. */
export function createPostgresConsumerStore(
  pool: DatabasePool,
  readerPool: () => Promise<DatabasePool>,
  wakeups: OutboxWakeups,
  name: string,
  patterns: readonly string[],
  fencing: Fencing | undefined,
  startAfter?: Cursor,
): ConsumerStore {
  const like = typePatternsToLike(patterns);
  const signal = wakeups.signal(patterns);
  return {
    load: () => loadOffset(pool, name, startAfter),
    recordFailure: (eventId) => recordHandlerFailure(pool, name, eventId),
    read: async (cursor, limit) => readEventsBehindHorizon(await readerPool(), cursor, like, limit),
    transaction: (fn) =>
      // Retry limit 0: the consumer loop decides what a failed batch means (handler, database, zombie).
      pool.transaction((t) => {
        // Emitted events (checked when emitted) travel with the offset update, in one statement.
        let pending: Envelope[] = [];
        return fn({
          db: t,
          append: async (events) => void pending.push(...events),
          deadLetter: (letters) => insertDeadLetters(t, name, letters),
          advance: (prev, next, state, handled) => {
            const events = pending;
            pending = [];
            return advanceOffset(t, name, prev, next, state, handled, fencing, events);
          },
        });
      }, 0),
    waitForWake: (ms) => signal.wait(ms),
    interrupt: () => signal.wake(),
    notify: (types) => notifyOutbox(pool, types ? typesOf(types) : null),
    isInfrastructureError,
    async close() {
      wakeups.release(signal);
    },
  };
}

