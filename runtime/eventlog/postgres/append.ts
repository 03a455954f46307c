import { sql, type CommonQueryMethods } from 'slonik';
import type { Envelope } from '../../../protocol/index.ts';
import { assertAppendable } from '../appendable.ts';

/**
 * Append events in the caller's transaction (or, on a pool, as one atomic statement) with one multi-row
 * INSERT: batching is the whole game. The batch travels as one JSON parameter: 100 rows took 2.3 ms that
 * way against 3.1 ms as twelve typed arrays (sql.unnest) here. Every event is validated first; one invalid
 * event refuses the whole append. An id already in the log is skipped, so a producer may safely re-send.
 */
export async function appendEvents(db: CommonQueryMethods, events: readonly Envelope[]): Promise<void> {
  events.forEach(assertAppendable);
  await insertEvents(db, events);
}

/** The INSERT alone, for events already checked with assertAppendable (a consumer's emitted events). */
export async function insertEvents(db: CommonQueryMethods, events: readonly Envelope[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(sql.unsafe`${insertFragment(events)}`);
}

/** The INSERT as a fragment, to travel in one statement with a consumer's offset update (offsets.ts). */
export function insertFragment(events: readonly Envelope[]) {
  return sql.fragment`
    INSERT INTO outbox (id, kind, type, version, run_id, corr_id, causation_id, trace_id, ts, producer, headers, payload)
    SELECT id, kind, type, version, run_id, corr_id, causation_id, trace_id, ts, producer, headers, payload
    FROM ROWS FROM (json_to_recordset(${JSON.stringify(events)}::json) AS (
      id uuid, kind text, type text, version int4, run_id uuid, corr_id uuid, causation_id uuid, trace_id uuid,
      ts timestamptz, producer text, headers jsonb, payload jsonb)) WITH ORDINALITY
      AS e(id, kind, type, version, run_id, corr_id, causation_id, trace_id, ts, producer, headers, payload, ord)
    ORDER BY ord -- positions follow the order of the batch
    ON CONFLICT (id) DO NOTHING`;
}
