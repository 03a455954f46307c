// The supervisor's answers to one command: actor.* events whose causation_id is the command's id. There is
// no index on causation_id, so the scan starts at the command's own (tx, position) on outbox_tx_position_idx
// and only reads what was appended since: a few rows while a CLI waits. An answer is always written after
// its command committed, so it can only lie after it.
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { Cursor } from '../../../protocol/index.ts';
import { sql } from '../../db/pool.ts';

export const Answer = v.object({ tx: v.string(), position: v.bigint(), id: v.string(), type: v.string(), producer: v.string(), payload: v.unknown() });
export type Answer = v.InferOutput<typeof Answer>;

export async function findAnswers(db: CommonQueryMethods, commandId: string, after: Cursor): Promise<Answer[]> {
  return [
    ...(await db.any(sql.type(Answer)`
      SELECT tx::text AS tx, position, id::text AS id, type, producer, payload
      FROM outbox
      WHERE (tx, position) > (${after.tx.toString()}::xid8, ${after.position.toString()}::int8)
        AND type LIKE 'actor.%' AND causation_id = ${commandId}
      ORDER BY tx, position`)),
  ];
}
