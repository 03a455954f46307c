// Dead letters per consumer: events that could not be handled and were parked with their reason.
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { sql } from '../../db/pool.ts';

export const DeadLetterCount = v.object({
  consumer: v.string(),
  count: v.pipe(v.bigint(), v.transform(Number)),
  /** The newest one's reason code (invalid_envelope, unknown_type, handler_failed …). */
  latest_code: v.nullable(v.string()),
  latest_at: v.pipe(v.number(), v.transform((ms) => new Date(ms).toISOString())),
});
export type DeadLetterCount = v.InferOutput<typeof DeadLetterCount>;

export async function countDeadLetters(db: CommonQueryMethods): Promise<DeadLetterCount[]> {
  return [
    ...(await db.any(sql.type(DeadLetterCount)`
      SELECT consumer, count(*) AS count,
        (array_agg(error->>'code' ORDER BY id DESC))[1] AS latest_code, max(created_at) AS latest_at
      FROM dead_letters GROUP BY consumer ORDER BY consumer`)),
  ];
}
