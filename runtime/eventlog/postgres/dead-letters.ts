import { sql, type CommonQueryMethods } from 'slonik';
import type { DeadLetter } from '../store.ts';

/** Park events that could not be handled, with the reason and the row as read; the consumer moves on. */
export async function insertDeadLetters(db: CommonQueryMethods, consumer: string, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  const tuples = letters.map(({ row, error, attempts }) => [
    consumer,
    row.cursor.tx.toString(),
    row.cursor.position.toString(),
    typeof row.raw.id === 'string' ? row.raw.id : null,
    typeof row.raw.type === 'string' ? row.raw.type : null,
    JSON.stringify(error),
    JSON.stringify(row.raw),
    attempts,
  ]);
  await db.query(sql.unsafe`
    INSERT INTO dead_letters (consumer, tx, position, event_id, type, error, raw, attempts)
    SELECT * FROM ${sql.unnest(tuples, ['text', 'xid8', 'int8', 'uuid', 'text', 'jsonb', 'jsonb', 'int4'])}
    ON CONFLICT (consumer, position) DO NOTHING`);
}
