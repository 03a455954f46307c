// Thin ui.* events after a cursor, in log order, behind the transaction horizon: every transaction with
// tx below pg_snapshot_xmin has finished, so no event can later appear behind a cursor handed out here.
// The SSE live feed, an SSE client's catch-up and the REST tail all read through this one query, so
// they deliver the same sequence.
import { sql, type CommonQueryMethods } from 'slonik';
import { formatCursor, type Cursor } from '../../../protocol/index.ts';

export interface UiEvent {
  /** The log cursor `tx.position`: the SSE id and the tail's `after`. */
  readonly cursor: string;
  readonly id: string;
  readonly type: string;
  readonly ts: string;
  readonly run_id: string | null;
  readonly payload: unknown;
}

export interface UiFilter {
  readonly runId?: string | undefined;
  /** Exact ui.* types; empty or undefined: all. */
  readonly types?: readonly string[] | undefined;
}

interface Row {
  tx: string;
  position: bigint;
  id: string;
  type: string;
  ts: string;
  run_id: string | null;
  payload: unknown;
}

export interface UiPage {
  readonly events: UiEvent[];
  /** The cursor after the last event returned (the input cursor when none). */
  readonly last: Cursor;
}

export async function readUiEvents(db: CommonQueryMethods, after: Cursor, limit: number, filter: UiFilter = {}): Promise<UiPage> {
  const conditions = [
    sql.fragment`(tx, position) > (${after.tx.toString()}::xid8, ${after.position.toString()}::int8)`,
    sql.fragment`tx < pg_snapshot_xmin(pg_current_snapshot())`,
    sql.fragment`type LIKE 'ui.%'`,
  ];
  if (filter.runId !== undefined) conditions.push(sql.fragment`run_id = ${filter.runId}::uuid`);
  if (filter.types && filter.types.length > 0) conditions.push(sql.fragment`type = ANY(${sql.array([...filter.types], 'text')})`);
  const result = await db.query(sql.unsafe`
    SELECT outbox.tx::text AS tx, position, id::text AS id, type, run_id::text AS run_id, payload,
      to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts
    FROM outbox
    WHERE ${sql.join(conditions, sql.fragment` AND `)}
    ORDER BY outbox.tx, outbox.position
    LIMIT ${limit}`);
  const rows = result.rows as unknown as Row[];
  const events = rows.map((r) => ({ cursor: formatCursor({ tx: BigInt(r.tx), position: BigInt(r.position) }), id: r.id, type: r.type, ts: r.ts, run_id: r.run_id, payload: r.payload }));
  const tail = rows[rows.length - 1];
  return { events, last: tail ? { tx: BigInt(tail.tx), position: BigInt(tail.position) } : after };
}

/**
 * Are committed ui.* events after `after` held back by an older transaction still open? Then the reader
 * looks again shortly: that transaction's end sends no NOTIFY of ui.* types to wake it.
 */
export async function uiEventsHeldBack(db: CommonQueryMethods, after: Cursor): Promise<boolean> {
  const held = await db.oneFirst(sql.unsafe`
    SELECT EXISTS (
      SELECT 1 FROM outbox
      WHERE (tx, position) > (${after.tx.toString()}::xid8, ${after.position.toString()}::int8)
        AND tx >= pg_snapshot_xmin(pg_current_snapshot()) AND type LIKE 'ui.%'
    ) AS held`);
  return held === true;
}

/** A cursor before every event not yet visible: all transactions below the horizon have finished. */
export async function horizonCursor(db: CommonQueryMethods): Promise<Cursor> {
  const xmin = await db.oneFirst(sql.unsafe`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
  return { tx: BigInt(xmin as string) - 1n, position: 2n ** 63n - 1n };
}

export function matches(event: UiEvent, filter: UiFilter): boolean {
  if (filter.runId !== undefined && event.run_id !== filter.runId) return false;
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  return true;
}
