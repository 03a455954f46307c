import { sql, type CommonQueryMethods } from 'slonik';
import { validateEnvelope, WeaverError, type Envelope } from '../../../protocol/index.ts';

/**
 * Append events in the caller's transaction with one multi-row INSERT (batching is the whole game:
 * here 100-row inserts reach ~10x the rows/s of single-row ones). Every event is validated first; one
 * invalid event refuses the whole append. An id already in the log is skipped (idempotent producers).
 */
export async function appendEvents(db: CommonQueryMethods, events: readonly Envelope[]): Promise<void> {
  if (events.length === 0) return;
  const tuples = events.map((e) => {
    const checked = validateEnvelope(e);
    if (!checked.ok) throw new WeaverError('invalid_event', `refused to append ${e.type}: ${checked.error.message}`, checked.error.details, e.id);
    return [e.id, e.kind, e.type, e.version, e.run_id, e.corr_id, e.causation_id, e.trace_id, e.ts, e.producer, JSON.stringify(e.headers), JSON.stringify(e.payload)];
  });
  await db.query(sql.unsafe`
    INSERT INTO outbox (id, kind, type, version, run_id, corr_id, causation_id, trace_id, ts, producer, headers, payload)
    SELECT * FROM ${sql.unnest(tuples, ['uuid', 'text', 'text', 'int4', 'uuid', 'uuid', 'uuid', 'uuid', 'timestamptz', 'text', 'jsonb', 'jsonb'])}
    ON CONFLICT (id) DO NOTHING`);
}
