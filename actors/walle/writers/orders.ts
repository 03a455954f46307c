// WallE's writes of `orders`, keyed by the deterministic client order id: new (the strategy's request) →
// accepted → partially_filled → filled, or canceled / rejected. Each transition names the states it may
// leave, so an event seen again (or a late one) never moves an order backwards; fills are in fills.ts.
import type { CommonQueryMethods } from 'slonik';
import type { OrderRequest } from '../../../protocol/index.ts';
import { sql } from '../../../runtime/db/pool.ts';

/** The states an order may still leave: canceled and rejected only happen to these. */
const OPEN = sql.fragment`('new', 'accepted', 'partially_filled')`;

function orderValues(o: OrderRequest, status: 'new' | 'accepted' | 'rejected', reason: string | null) {
  return sql.fragment`(
    ${o.order_id}, ${o.run_id}::uuid, ${o.instance_id}::uuid, ${o.symbol}, ${o.side}, ${o.type}, ${o.qty},
    ${o.limit_price}, ${o.stop_price}, ${status}, ${reason}, ${o.decided_at}::timestamptz, ${o.bar_index})`;
}

const COLUMNS = sql.fragment`(id, run_id, instance_id, symbol, side, type, qty, limit_price, stop_price, status, reason, decided_at, bar_index)`;

/** strategy.PlaceRequest: the order as the strategy asked for it. */
export async function insertOrder(db: CommonQueryMethods, o: OrderRequest): Promise<void> {
  await db.query(sql.unsafe`INSERT INTO orders ${COLUMNS} VALUES ${orderValues(o, 'new', null)} ON CONFLICT (id) DO NOTHING`);
}

/** orders.Accepted: only a new order becomes accepted. It carries the order, so a missing row is written too. */
export async function markOrderAccepted(db: CommonQueryMethods, o: OrderRequest): Promise<void> {
  await db.query(sql.unsafe`
    INSERT INTO orders AS k ${COLUMNS} VALUES ${orderValues(o, 'accepted', null)}
    ON CONFLICT (id) DO UPDATE SET status = 'accepted', updated_at = now() WHERE k.status = 'new'`);
}

/**
 * orders.Rejected: the venue refused the order, before or after accepting it (a fill it could not pay
 * for). The order may be unknown here (refused before its request was recorded): with the request in
 * the event it is written; without it only a known order can be marked.
 */
export async function markOrderRejected(db: CommonQueryMethods, orderId: string, reason: string, order: OrderRequest | null): Promise<void> {
  if (order) {
    await db.query(sql.unsafe`
      INSERT INTO orders AS k ${COLUMNS} VALUES ${orderValues(order, 'rejected', reason)}
      ON CONFLICT (id) DO UPDATE SET status = 'rejected', reason = EXCLUDED.reason, updated_at = now()
      WHERE k.status IN ${OPEN}`);
    return;
  }
  await db.query(sql.unsafe`
    UPDATE orders SET status = 'rejected', reason = ${reason}, updated_at = now() WHERE id = ${orderId} AND status IN ${OPEN}`);
}

/** orders.Canceled: an open order is canceled (what it filled before stays in filled_qty). */
export async function markOrderCanceled(db: CommonQueryMethods, orderId: string, reason: string): Promise<void> {
  await db.query(sql.unsafe`
    UPDATE orders SET status = 'canceled', reason = ${reason}, updated_at = now() WHERE id = ${orderId} AND status IN ${OPEN}`);
}
