// orders.*: what a venue (Greta in backtests, Veda live) says about orders. Strategies' requests carry
// an OrderRequest; its order_id is the deterministic client order id (run, instance, decision).
import * as v from 'valibot';
import { defineEvent } from './registry.ts';

const positive = v.pipe(v.number(), v.finite(), v.gtValue(0));
const price = v.pipe(v.number(), v.finite(), v.gtValue(0));
const index = v.pipe(v.number(), v.integer(), v.minValue(0));

export const OrderSide = v.picklist(['buy', 'sell']);
export type OrderSide = v.InferOutput<typeof OrderSide>;
export const OrderType = v.picklist(['market', 'limit', 'stop', 'stop_limit']);
export type OrderType = v.InferOutput<typeof OrderType>;

export const OrderRequest = v.pipe(
  v.object({
    order_id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    run_id: v.string(),
    instance_id: v.string(),
    symbol: v.pipe(v.string(), v.minLength(1)),
    side: OrderSide,
    qty: positive,
    type: OrderType,
    limit_price: v.nullable(price),
    stop_price: v.nullable(price),
    /** The bar whose close decided the order (ISO) and its index: the order may fill from the next bar on. */
    decided_at: v.string(),
    bar_index: index,
  }),
  v.check((o) => (o.type === 'limit' || o.type === 'stop_limit') === (o.limit_price !== null), 'limit_price is required for limit and stop_limit orders, and only for them'),
  v.check((o) => (o.type === 'stop' || o.type === 'stop_limit') === (o.stop_price !== null), 'stop_price is required for stop and stop_limit orders, and only for them'),
);
export type OrderRequest = v.InferOutput<typeof OrderRequest>;

export const OrderStatus = v.picklist(['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired']);
export type OrderStatus = v.InferOutput<typeof OrderStatus>;

export const Fill = v.object({
  fill_id: v.string(),
  order_id: v.string(),
  run_id: v.string(),
  instance_id: v.string(),
  symbol: v.string(),
  side: OrderSide,
  qty: positive,
  price,
  fee: v.pipe(v.number(), v.finite(), v.minValue(0)),
  /** The bar the fill happened in (ISO start) and its index in the run. */
  ts: v.string(),
  bar_index: index,
});
export type Fill = v.InferOutput<typeof Fill>;

/** The venue took the order (it rests until filled, canceled or the run ends). */
export const OrdersAccepted = defineEvent('orders.Accepted', 'evt', v.object({ order: OrderRequest }));
export const OrdersRejected = defineEvent(
  'orders.Rejected',
  'evt',
  v.object({ order_id: v.string(), instance_id: v.string(), run_id: v.string(), reason: v.string(), order: v.nullable(OrderRequest) }),
);
/** A (partial) fill; `remaining` 0 means the order is done. */
export const OrdersFilled = defineEvent('orders.Filled', 'evt', v.object({ fill: Fill, remaining: v.pipe(v.number(), v.minValue(0)), avg_price: price }));
export const OrdersCanceled = defineEvent(
  'orders.Canceled',
  'evt',
  v.object({ order_id: v.string(), instance_id: v.string(), run_id: v.string(), reason: v.string(), filled_qty: v.pipe(v.number(), v.minValue(0)) }),
);
/**
 * Backtests only: the venue has matched every open order of the instance against the bars at `ts` (bar
 * `bar_index`); the orders.* events of that bar come before it. The strategy waits for it while it has
 * orders open, so it never runs bar k without knowing what bar k did to its orders (lockstep).
 */
export const OrdersMatched = defineEvent('orders.Matched', 'evt', v.object({ instance_id: v.string(), run_id: v.string(), bar_index: index, ts: v.string() }));
