// The event log on Postgres (DESIGN §5): outbox appended inside the caller's transaction, consumers
// reading behind the transaction horizon with the cursor (tx, position), one transaction per batch.
// It never reads `position > offset` alone and never sends NOTIFY inside a transaction.
import { sql, type DatabasePool } from 'slonik';
import * as v from 'valibot';
import type { Logger } from 'pino';
import { createPool } from '../../db/pool.ts';
import { runConsumerLoop } from '../consumer-loop.ts';
import type { ConsumerLag, EventLog, Fencing } from '../types.ts';
import { assertLeaseHeld } from './lease-guard.ts';
import { appendEvents } from './append.ts';
import { typesOf, notifyOutbox } from './notify.ts';
import { createPostgresConsumerStore } from './store.ts';
import { OutboxWakeups } from './wakeups.ts';
import { createReaderPool } from './reader-pool.ts';

export { appendEvents } from './append.ts';
export { notifyOutbox } from './notify.ts';
export { readEventsBehindHorizon } from './read.ts';
export { isInfrastructureError } from './infrastructure-errors.ts';

export interface PostgresEventLogOptions {
  url: string;
  /** Use this pool (not closed by the log); otherwise the log makes its own. */
  pool?: DatabasePool;
  poolSize?: number;
  log?: Logger;
  /** An actor's lease: every publish and transaction of this log first checks it is still held (a zombie cannot append). */
  fencing?: Fencing;
  /** Its own pool commits asynchronously (see PoolOptions.asyncCommit): for consumers whose every effect derives from the log. */
  asyncCommit?: boolean;
}

export interface PostgresEventLog extends EventLog {
  readonly pool: DatabasePool;
}

const LagRow = v.object({ tx: v.string(), position: v.bigint(), behind: v.bigint() });

export async function createPostgresEventLog(options: PostgresEventLogOptions): Promise<PostgresEventLog> {
  const fencing = options.fencing;
  const pool = options.pool ?? (await createPool(options.url, { maximumPoolSize: options.poolSize ?? 4, asyncCommit: options.asyncCommit === true }));
  // Lazily: a log that only appends (a CLI, a producer) needs no reader connection.
  let readerPool: Promise<DatabasePool> | null = null;
  const reader = () =>
    (readerPool ??= createReaderPool(options.url, 'weaver-eventlog-reader').catch((error: unknown) => {
      readerPool = null; // Postgres may be down: the next read tries again
      throw error;
    }));
  const wakeups = new OutboxWakeups(options.url, options.log);
  void wakeups.start();
  const consumers = new Set<{ stop(): Promise<unknown> }>();

  return {
    pool,
    async publish(events) {
      if (events.length === 0) return;
      if (fencing) {
        await pool.transaction(async (t) => {
          await assertLeaseHeld(t, fencing);
          await appendEvents(t, events);
        }, 0);
      } else {
        await appendEvents(pool, events); // one statement: atomic without BEGIN/COMMIT round trips
      }
      notifyOutbox(pool, typesOf(events.map((e) => e.type)));
    },
    async transaction(fn) {
      const types: string[] = [];
      const result = await pool.transaction(
        async (t) => {
          if (fencing) await assertLeaseHeld(t, fencing);
          return fn({
            db: t,
            append: async (events) => {
              await appendEvents(t, events);
              for (const e of events) types.push(e.type);
            },
          });
        },
        0,
      );
      if (types.length > 0) notifyOutbox(pool, typesOf(types));
      return result;
    },
    subscribe(consumerOptions, handler) {
      void reader().catch(() => {}); // connect while the offset loads: ~20 ms off an actor's first batch
      const store = createPostgresConsumerStore(pool, reader, wakeups, consumerOptions.name, consumerOptions.types, consumerOptions.fencing, consumerOptions.startAfter);
      const consumer = runConsumerLoop(store, consumerOptions, handler);
      consumers.add(consumer);
      void consumer.done.finally(() => {
        consumers.delete(consumer);
        return store.close();
      }).catch(() => {});
      return consumer;
    },
    async lag(consumer): Promise<ConsumerLag> {
      const row = await pool.maybeOne(sql.type(LagRow)`
        SELECT o.tx::text AS tx, o.position,
          (SELECT count(*) FROM outbox WHERE (outbox.tx, outbox.position) > (o.tx, o.position)) AS behind
        FROM consumer_offsets o WHERE o.consumer = ${consumer}`);
      if (!row) {
        const total = await pool.oneFirst(sql.type(v.object({ n: v.bigint() }))`SELECT count(*) AS n FROM outbox`);
        return { cursor: { tx: 0n, position: 0n }, behind: Number(total) };
      }
      return { cursor: { tx: BigInt(row.tx), position: row.position }, behind: Number(row.behind) };
    },
    async close() {
      await Promise.allSettled([...consumers].map((c) => c.stop()));
      await wakeups.close();
      if (readerPool) await (await readerPool.catch(() => null))?.end();
      if (!options.pool) await pool.end();
    },
  };
}
