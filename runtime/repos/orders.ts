// Reads of orders and fills (WallE writes them) for the gateway: filtered, in commit order, one keyset page
// at a time (keyset.ts), so a client that follows the cursor sees every row once even while runs write.
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { isoText } from './iso.ts';
import { keysetConditions, keysetOrder, type RowKey } from './keyset.ts';

export interface TradeFilter {
  readonly runId?: string;
  readonly instanceId?: string;
  /** The strategy name of the row's instance (strategy_instances). */
  readonly strategy?: string;
  readonly symbol?: string;
  /** Orders only. */
  readonly status?: string;
  /** Inclusive bounds on decided_at (orders) or ts (fills), epoch ms. */
  readonly fromMs?: number;
  readonly toMs?: number;
}

export interface KeysetPage<T> {
  readonly items: T[];
  /** The key of the last row of the page; null when the page is empty. */
  readonly last: RowKey | null;
}

const num = v.number();
const text = v.string();
const nullableNum = v.nullable(num);

/** An order as the API shows it. */
export const OrderView = v.object({
  order_id: text,
  run_id: text,
  instance_id: text,
  strategy: v.nullable(text),
  symbol: text,
  side: text,
  type: text,
  qty: num,
  limit_price: nullableNum,
  stop_price: nullableNum,
  status: text,
  filled_qty: num,
  avg_fill_price: nullableNum,
  reason: v.nullable(text),
  decided_at: text,
  bar_index: num,
  created_at: text,
  updated_at: text,
});
export type OrderView = v.InferOutput<typeof OrderView>;

/** A fill as the API shows it. */
export const FillView = v.object({
  fill_id: text,
  order_id: text,
  run_id: text,
  instance_id: text,
  strategy: v.nullable(text),
  symbol: text,
  side: text,
  qty: num,
  price: num,
  fee: num,
  ts: text,
  bar_index: num,
  created_at: text,
});
export type FillView = v.InferOutput<typeof FillView>;

/** The rows carry their commit-order key (tx) besides. */
const OrderRow = v.object({ tx: text, ...OrderView.entries });
const FillRow = v.object({ tx: text, ...FillView.entries });

const at = (t: number) => sql.fragment`${new Date(t).toISOString()}::timestamptz`;

function filters(alias: 'o' | 'f', timeColumn: 'decided_at' | 'ts', f: TradeFilter) {
  const col = (name: string) => sql.identifier([alias, name]);
  const out = [];
  if (f.runId !== undefined) out.push(sql.fragment`${col('run_id')} = ${f.runId}::uuid`);
  if (f.instanceId !== undefined) out.push(sql.fragment`${col('instance_id')} = ${f.instanceId}::uuid`);
  if (f.strategy !== undefined) out.push(sql.fragment`si.strategy = ${f.strategy}`);
  if (f.symbol !== undefined) out.push(sql.fragment`${col('symbol')} = ${f.symbol}`);
  if (f.status !== undefined) out.push(sql.fragment`${col('status')} = ${f.status}`);
  if (f.fromMs !== undefined) out.push(sql.fragment`${col(timeColumn)} >= ${at(f.fromMs)}`);
  if (f.toMs !== undefined) out.push(sql.fragment`${col(timeColumn)} <= ${at(f.toMs)}`);
  return out;
}

function page<R extends { tx: string }, T>(rows: readonly R[], idOf: (r: R) => string, view: (r: R) => T): KeysetPage<T> {
  const lastRow = rows[rows.length - 1];
  return { items: rows.map(view), last: lastRow ? { tx: BigInt(lastRow.tx), id: idOf(lastRow) } : null };
}

/** The next `limit` orders after `after` (from the first when null), in commit order. */
export async function listOrders(db: CommonQueryMethods, filter: TradeFilter, after: RowKey | null, limit: number): Promise<KeysetPage<OrderView>> {
  const where = [...keysetConditions('o', after), ...filters('o', 'decided_at', filter)];
  const rows = await db.any(sql.type(OrderRow)`
    SELECT o.tx::text AS tx, o.id AS order_id, o.run_id::text AS run_id, o.instance_id::text AS instance_id, si.strategy,
      o.symbol, o.side, o.type, o.qty::float8 AS qty, o.limit_price::float8 AS limit_price, o.stop_price::float8 AS stop_price,
      o.status, o.filled_qty::float8 AS filled_qty, o.avg_fill_price::float8 AS avg_fill_price, o.reason,
      ${isoText(sql.identifier(['o', 'decided_at']))} AS decided_at, o.bar_index,
      ${isoText(sql.identifier(['o', 'created_at']))} AS created_at, ${isoText(sql.identifier(['o', 'updated_at']))} AS updated_at
    FROM orders o LEFT JOIN strategy_instances si ON si.id = o.instance_id
    WHERE ${sql.join(where, sql.fragment` AND `)}
    ORDER BY ${keysetOrder('o')}
    LIMIT ${limit}`);
  return page(rows, (r) => r.order_id, ({ tx: _tx, ...r }): OrderView => r);
}

/** The next `limit` fills after `after` (from the first when null), in commit order. */
export async function listFills(db: CommonQueryMethods, filter: Omit<TradeFilter, 'status'>, after: RowKey | null, limit: number): Promise<KeysetPage<FillView>> {
  const where = [...keysetConditions('f', after), ...filters('f', 'ts', filter)];
  const rows = await db.any(sql.type(FillRow)`
    SELECT f.tx::text AS tx, f.id AS fill_id, f.order_id, f.run_id::text AS run_id, f.instance_id::text AS instance_id, si.strategy,
      f.symbol, f.side, f.qty::float8 AS qty, f.price::float8 AS price, f.fee::float8 AS fee,
      ${isoText(sql.identifier(['f', 'ts']))} AS ts, f.bar_index, ${isoText(sql.identifier(['f', 'created_at']))} AS created_at
    FROM fills f LEFT JOIN strategy_instances si ON si.id = f.instance_id
    WHERE ${sql.join(where, sql.fragment` AND `)}
    ORDER BY ${keysetOrder('f')}
    LIMIT ${limit}`);
  return page(rows, (r) => r.fill_id, ({ tx: _tx, ...r }): FillView => r);
}
