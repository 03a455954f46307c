import { sql } from 'slonik';
import type { RawLogRow } from '../store.ts';

/**
 * An outbox row as read, unchecked: a malformed row (inserted by hand, or by an older version) must reach
 * the consumer so that it can go to dead_letters with a reason, not fail the page; `validateEnvelope`
 * checks every wanted row. So the read runs without a row schema (slonik's per-row parser also cost
 * ~3 ms per 1,000 rows here).
 */
export interface OutboxRow {
  tx: string;
  position: bigint;
  wanted: boolean;
  [column: string]: unknown;
}

/** The envelope's columns for wanted rows (NULL for the others), ts as UTC ISO-8601 with ms. */
export const envelopeColumnsIfWanted = sql.fragment`
  CASE WHEN wanted THEN id END AS id, CASE WHEN wanted THEN kind END AS kind, CASE WHEN wanted THEN type END AS type,
  CASE WHEN wanted THEN version END AS version, CASE WHEN wanted THEN run_id END AS run_id,
  CASE WHEN wanted THEN corr_id END AS corr_id, CASE WHEN wanted THEN causation_id END AS causation_id,
  CASE WHEN wanted THEN trace_id END AS trace_id,
  CASE WHEN wanted THEN to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END AS ts,
  CASE WHEN wanted THEN producer END AS producer, CASE WHEN wanted THEN headers END AS headers,
  CASE WHEN wanted THEN payload END AS payload`;

export function toRawLogRow(row: OutboxRow): RawLogRow {
  const { tx, position, wanted: _, ...envelope } = row;
  return { cursor: { tx: BigInt(tx), position }, raw: envelope };
}
