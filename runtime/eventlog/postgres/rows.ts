import { sql } from 'slonik';
import * as v from 'valibot';
import type { RawLogRow } from '../store.ts';

/**
 * An outbox row as read. Deliberately loose: a malformed row (inserted by hand, or by an older
 * version) must reach the consumer so that it can go to dead_letters with a reason, not fail the page.
 */
export const OutboxRow = v.looseObject({ tx: v.string(), position: v.bigint() });

/** The columns of an envelope, in the shape `validateEnvelope` checks (ts as UTC ISO-8601 with ms). */
export const envelopeColumns = sql.fragment`
  tx::text AS tx, position, id::text AS id, kind, type, version, run_id::text AS run_id, corr_id::text AS corr_id,
  causation_id::text AS causation_id, trace_id::text AS trace_id,
  to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts, producer, headers, payload`;

export function toRawLogRow(row: v.InferOutput<typeof OutboxRow>): RawLogRow {
  const { tx, position, ...envelope } = row;
  return { cursor: { tx: BigInt(tx), position }, raw: envelope };
}
