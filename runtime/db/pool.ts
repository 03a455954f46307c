// slonik pools whose row schemas are enforced. In slonik 49 `sql.type(schema)` only attaches the schema to
// the query; nothing validates rows unless an interceptor does, so every pool gets `resultParser` below.
//
// What comes back from Postgres with slonik 49's default type parsers (createTypeParserPreset):
//   int8 / bigint (count(*), identity `position`) → BigInt      numeric → number (Number.parseFloat: lossy)
//   timestamptz and timestamp → epoch milliseconds (number, not Date, not string; timestamp is read as UTC)
//   date → string 'YYYY-MM-DD'     interval → seconds (number)     int4 → number     json/jsonb → parsed value
//   xid8 (outbox.tx) and other types slonik and pg-types don't know → string
// So a schema for `SELECT count(*)` says v.bigint(); money stays `numeric` in SQL and is a double in the kernel
// (DESIGN §7), so reads that must be exact cast to text in SQL. Queries use the extended protocol only: one
// statement per query (multi-statement SQL belongs in migrations).
import {
  createPool as createSlonikPool,
  SchemaValidationError,
  type DatabasePool,
  type Interceptor,
  type QueryResultRow,
} from 'slonik';

export { sql, SchemaValidationError } from 'slonik';
export type { DatabasePool, DatabasePoolConnection, DatabaseTransactionConnection } from 'slonik';

/** Validates (and transforms) each row with the query's Standard Schema (valibot) from `sql.type(schema)`. */
export const resultParser: Interceptor = {
  name: 'standard-schema-result-parser',
  transformRowAsync: async (ctx, query, row) => {
    if (!ctx.resultParser) return row;
    const result = await ctx.resultParser['~standard'].validate(row);
    if (result.issues) throw new SchemaValidationError(query, row, result.issues);
    return result.value as QueryResultRow;
  },
};

export type PoolOptions = {
  /**
   * Commit without waiting for the WAL flush (synchronous_commit = off) on this pool's sessions. Safe
   * where every write is derived from events already durable in the log and stays inside Postgres: a
   * crash of Postgres loses at most a fraction of a second of such commits, atomically with the
   * consumer offsets that cover them, and the consumers redo that work from their offsets.
   */
  asyncCommit?: boolean;
  /** Connections this pool may open (default 10). Every actor worker has its own pool: keep it small. */
  maximumPoolSize?: number;
  /** ms before an idle connection is closed (default 5 s: workers are many, connections are a budget). */
  idleTimeout?: number | 'DISABLE_TIMEOUT';
  /** ms before the server cancels a statement (default 5 min: catches a query stuck behind a lock). */
  statementTimeout?: number | 'DISABLE_TIMEOUT';
  /** ms to wait for a new connection (default 5 s). */
  connectionTimeout?: number | 'DISABLE_TIMEOUT';
  /** Shown in pg_stat_activity, e.g. the actor id: tells whose connection holds the horizon back. */
  applicationName?: string;
  /** Interceptors run before the row parser. */
  interceptors?: readonly Interceptor[];
};

/**
 * Opens a pool. It connects once immediately (slonik reads the type oids), so it throws if the database
 * does not answer. Note slonik retries a transaction handler up to 5 times on serialization failures and
 * deadlocks: a handler must not have side effects outside the transaction.
 */
export async function createPool(url: string, opts: PoolOptions = {}): Promise<DatabasePool> {
  let connectionUri = opts.applicationName ? withApplicationName(url, opts.applicationName) : url;
  if (opts.asyncCommit) connectionUri = withOption(connectionUri, 'synchronous_commit=off');
  return createSlonikPool(connectionUri, {
    maximumPoolSize: opts.maximumPoolSize ?? 10,
    idleTimeout: opts.idleTimeout ?? 5_000,
    statementTimeout: opts.statementTimeout ?? 300_000,
    connectionTimeout: opts.connectionTimeout ?? 5_000,
    // Same as the embedded server's setting: an idle-in-transaction session holds the event-log horizon back.
    idleInTransactionSessionTimeout: 60_000,
    interceptors: [...(opts.interceptors ?? []), resultParser],
    // slonik's default sends DISCARD ALL on every release: one more round trip per query or transaction
    // (SELECT 1 took 0.66 ms through slonik vs 0.19 ms with pg alone here) and it drops prepared plans.
    // Weaver's connections keep no session state (LISTEN has its own connection), so nothing to reset.
    resetConnection: async () => {},
  });
}

function withOption(url: string, setting: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `${u.searchParams.get('options') ?? ''} -c ${setting}`.trim());
  return u.toString();
}

function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

/** The URL with its password masked, for error messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

/** An error's text; a refused connection to a name with several addresses is an AggregateError with no message. */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = err instanceof AggregateError ? err.errors.map((e) => errorText(e)).join('; ') : '';
  return err.message || inner || (err as NodeJS.ErrnoException).code || err.name;
}
