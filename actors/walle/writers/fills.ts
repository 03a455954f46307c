// WallE's writes of a fill: the `fills` row, keyed by the venue's fill id, and its order's filled
// quantity, average price and status. One statement: the order is updated only when the fill row was
// new, so a fill seen twice (even re-published under another event id) is counted once.
import type { CommonQueryMethods } from 'slonik';
import type { OrdersFilled, PayloadOf } from '../../../protocol/index.ts';
import { sql } from '../../../runtime/db/pool.ts';

/**
 * orders.Filled. `remaining` 0 means the order is done: filled, whatever it was before. A partial fill
 * of an order already canceled or rejected (a venue's race) is counted but leaves that status.
 */
export async function insertFill(db: CommonQueryMethods, p: PayloadOf<typeof OrdersFilled>): Promise<void> {
  const f = p.fill;
  await db.query(sql.unsafe`
    WITH f AS (
      INSERT INTO fills (id, order_id, run_id, instance_id, symbol, side, qty, price, fee, ts, bar_index)
      VALUES (${f.fill_id}, ${f.order_id}, ${f.run_id}::uuid, ${f.instance_id}::uuid, ${f.symbol}, ${f.side},
              ${f.qty}, ${f.price}, ${f.fee}, ${f.ts}::timestamptz, ${f.bar_index})
      ON CONFLICT (id) DO NOTHING
      RETURNING order_id, qty
    )
    UPDATE orders o SET
      filled_qty = o.filled_qty + f.qty,
      avg_fill_price = ${p.avg_price},
      status = CASE
        WHEN ${p.remaining}::numeric = 0 THEN 'filled'
        WHEN o.status IN ('canceled', 'rejected', 'expired') THEN o.status
        ELSE 'partially_filled' END,
      updated_at = now()
    FROM f WHERE o.id = f.order_id`);
}
