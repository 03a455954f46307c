import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { Cursor } from '../../../protocol/index.ts';
import type { ReadPage } from '../store.ts';
import { envelopeColumnsIfWanted, toRawLogRow, type OutboxRow } from './rows.ts';

const BlockedRow = v.object({ blocked: v.boolean() });

/**
 * The next page after `cursor`, behind the transaction horizon: every transaction with tx below
 * pg_snapshot_xmin has finished, and any later row gets a larger tx, so nothing can land behind the
 * cursor. Ordered and compared by the pair (tx, position); `position > offset` alone loses events.
 *
 * A page is the next `limit` rows of the log, of any type; only the wanted ones carry their columns.
 * So the cursor moves past events the consumer does not want, and a consumer of rare types does not
 * scan the same unwanted rows again at every wake-up. Run it on a connection from `createReaderPool`.
 * On an empty page, `blocked` says whether committed rows for these types wait past the horizon (an
 * open transaction holds them back).
 */
export async function readEventsBehindHorizon(db: CommonQueryMethods, cursor: Cursor, likePatterns: readonly string[], limit: number): Promise<ReadPage> {
  const types = sql.array(likePatterns, 'text');
  const after = sql.fragment`(tx, position) > (${cursor.tx.toString()}::xid8, ${cursor.position.toString()}::int8)`;
  const result = await db.query(sql.unsafe`
    SELECT page.tx::text AS tx, page.position, page.wanted, ${envelopeColumnsIfWanted}
    FROM (
      SELECT *, type LIKE ANY(${types}) AS wanted
      FROM outbox
      WHERE ${after} AND tx < pg_snapshot_xmin(pg_current_snapshot())
      -- Qualified: a bare tx would sort by a text alias ('1003' < '980') where one is in scope.
      ORDER BY outbox.tx, outbox.position
      LIMIT ${limit}
    ) page
    ORDER BY page.tx, page.position`);
  const scanned = result.rows as unknown as OutboxRow[];
  if (scanned.length > 0) {
    const last = scanned[scanned.length - 1]!;
    return { rows: scanned.filter((r) => r.wanted).map(toRawLogRow), last: { tx: BigInt(last.tx), position: last.position }, blocked: false };
  }
  // Only an empty page asks whether anything waits past the horizon: a non-empty one is read again at once.
  const blocked = await db.oneFirst(sql.type(BlockedRow)`
    SELECT EXISTS (
      SELECT 1 FROM outbox
      WHERE ${after} AND tx >= pg_snapshot_xmin(pg_current_snapshot()) AND type LIKE ANY(${types})
    ) AS blocked`);
  return { rows: [], last: null, blocked };
}
