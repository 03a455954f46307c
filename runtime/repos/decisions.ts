// Reads of a run's decisions (WallE writes them from strategy.DecisionMade, once each) for the gateway: one
// keyset page at a time on (ts, id), oldest or newest first. A decision row never changes after it is
// written, so (ts, id) keys are enough (no commit-order horizon as for orders and fills, keyset.ts); a row
// written later with an earlier ts than a page's cursor is not seen by a client already past it. The cursor
// is opaque: "decisions:<order>:<ts in epoch µs>:<id>" sealed by sealed-cursor.ts.
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { isoText } from './iso.ts';
import { openCursor, sealCursor, sealedLength } from './sealed-cursor.ts';

export type DecisionOrder = 'asc' | 'desc';

export interface DecisionKey {
  readonly order: DecisionOrder;
  /** ts in microseconds since the epoch (timestamptz keeps µs; ms would skip rows). */
  readonly tsMicros: bigint;
  readonly id: string;
}

/** A decision as the API shows it. */
export const DecisionView = v.object({
  decision_id: v.string(),
  run_id: v.string(),
  instance_id: v.string(),
  strategy: v.nullable(v.string()),
  ts: v.string(),
  bar_index: v.number(),
  action: v.string(),
  reason: v.string(),
  details: v.record(v.string(), v.unknown()),
});
export type DecisionView = v.InferOutput<typeof DecisionView>;

const DecisionRow = v.object({ ts_us: v.string(), ...DecisionView.entries });

const MAX_ID = 512;
const MAX_CURSOR_LENGTH = sealedLength(10 + 5 + 21 + MAX_ID * 4);
const SHAPE = /^decisions:(asc|desc):(-?(?:0|[1-9][0-9]{0,18})):([^\u0000]+)$/su;

export function encodeDecisionCursor(key: DecisionKey): string {
  return sealCursor(`decisions:${key.order}:${key.tsMicros}:${key.id}`);
}

/** The key in a decisions cursor; null for anything else. */
export function decodeDecisionCursor(cursor: string): DecisionKey | null {
  const text = openCursor(cursor, MAX_CURSOR_LENGTH);
  const m = text === null ? null : SHAPE.exec(text);
  if (!m) return null;
  const tsMicros = BigInt(m[2]!);
  if (tsMicros >= 2n ** 63n || tsMicros < -(2n ** 63n) || [...m[3]!].length > MAX_ID) return null;
  return { order: m[1] as DecisionOrder, tsMicros, id: m[3]! };
}

export interface DecisionPage {
  readonly items: DecisionView[];
  /** The key of the last row of the page; null when the page is empty. */
  readonly last: DecisionKey | null;
}

/** The next `limit` decisions of a run after `after` (from the first when null), by (ts, id) in `order`. */
export async function listDecisions(
  db: CommonQueryMethods,
  filter: { runId: string; instanceId?: string },
  order: DecisionOrder,
  after: DecisionKey | null,
  limit: number,
): Promise<DecisionPage> {
  const where = [sql.fragment`d.run_id = ${filter.runId}::uuid`];
  if (filter.instanceId !== undefined) where.push(sql.fragment`d.instance_id = ${filter.instanceId}::uuid`);
  if (after) {
    const ts = sql.fragment`('epoch'::timestamptz + ${after.tsMicros.toString()}::bigint * interval '1 microsecond')`;
    where.push(order === 'asc' ? sql.fragment`(d.ts, d.id) > (${ts}, ${after.id}::text)` : sql.fragment`(d.ts, d.id) < (${ts}, ${after.id}::text)`);
  }
  const direction = order === 'asc' ? sql.fragment`ASC` : sql.fragment`DESC`;
  const rows = await db.any(sql.type(DecisionRow)`
    SELECT (extract(epoch FROM d.ts) * 1000000)::bigint::text AS ts_us, d.id AS decision_id, d.run_id::text AS run_id,
      d.instance_id::text AS instance_id, si.strategy, ${isoText(sql.identifier(['d', 'ts']))} AS ts, d.bar_index,
      d.action, d.reason, d.details
    FROM decisions d LEFT JOIN strategy_instances si ON si.id = d.instance_id
    WHERE ${sql.join(where, sql.fragment` AND `)}
    ORDER BY d.ts ${direction}, d.id ${direction}
    LIMIT ${limit}`);
  const lastRow = rows[rows.length - 1];
  return {
    items: rows.map(({ ts_us: _ts, ...r }): DecisionView => r),
    last: lastRow ? { order, tsMicros: BigInt(lastRow.ts_us), id: lastRow.decision_id } : null,
  };
}
