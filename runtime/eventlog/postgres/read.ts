import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { Cursor } from '../../../protocol/index.ts';
import type { ReadPage } from '../store.ts';
import { envelopeColumns, OutboxRow, toRawLogRow } from './rows.ts';

/**
 * The next page after `cursor`, behind the transaction horizon: every transaction with tx below
 * pg_snapshot_xmin has finished, and any later row gets a larger tx, so nothing can land behind the
 * cursor. Ordered and compared by the pair (tx, position); `position > offset` alone loses events.
 * On an empty page, `blocked` says whether committed rows for these types wait past the horizon (an open
 * transaction holds them back).
 */
export async function readEventsBehindHorizon(db: CommonQueryMethods, cursor: Cursor, likePatterns: readonly string[], limit: number): Promise<ReadPage> {
  const types = sql.array(likePatterns, 'text');
  const after = sql.fragment`(tx, position) > (${cursor.tx.toString()}::xid8, ${cursor.position.toString()}::int8)`;
  const result = await db.query(sql.type(OutboxRow)`
    SELECT ${envelopeColumns}
    FROM outbox
    WHERE ${after} AND tx < pg_snapshot_xmin(pg_current_snapshot()) AND type LIKE ANY(${types})
    -- Qualified: a bare tx here would sort by the text alias of the SELECT list ('1003' < '980').
    ORDER BY outbox.tx, outbox.position
    LIMIT ${limit}`);
  const rows = result.rows.map(toRawLogRow);
  // Only an empty page asks whether anything waits past the horizon: a non-empty one is read again at once.
  if (rows.length > 0) return { rows, blocked: false };
  const beyond = await db.oneFirst(sql.type(BlockedRow)`
    SELECT EXISTS (
      SELECT 1 FROM outbox
      WHERE ${after} AND tx >= pg_snapshot_xmin(pg_current_snapshot()) AND type LIKE ANY(${types})
    ) AS blocked`);
  return { rows, blocked: beyond };
}

const BlockedRow = v.object({ blocked: v.boolean() });
