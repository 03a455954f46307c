// Greta's fill engine: the book of resting orders of one account and the rules that match them
// against a bar (DESIGN §7, TRADING.md "Fill rules of the peers"). Pure and deterministic: no I/O, no
// clock; the book is plain JSON data, snapshotted with the actor.
//
// Rules, per bar of the order's symbol, for orders decided on an earlier bar (never the deciding bar):
// - market: at the bar's open ('next_open') or close ('close'), with slippage.
// - limit buy: open ≤ limit → the open (a gap gives the better price); else low ≤ limit → the limit.
//   Sell mirrored with the high. Limit fills have no slippage and are never worse than the limit.
// - stop buy: open ≥ stop → the open (a gap gives the worse price); else high ≥ stop → the stop. Sell
//   mirrored with the low. Slippage applies. A triggered stop is a market order from then on (its
//   unfilled rest, under a volume cap, fills at the next bars' open/close).
// - stop-limit: triggers as a stop, then is a limit order (`triggered` persists across bars).
// - slippage: market and stop fills move against the order by slippage_bps (buy × (1 + bps/1e4), sell
//   × (1 − bps/1e4)), clamped to the bar's [low, high].
// - commission per fill: max(minimum, rate × notional + per_share × qty); each partial fill pays it.
// - volume cap: at most volume_cap × bar.volume per order per bar, floored to whole shares when the
//   order's qty is whole (equities), fractional otherwise (crypto); the rest stays open. A bar with
//   volume 0 fills nothing under a cap.
// - cash: a buy fill costing more than the cash (notional + fee) rejects the whole order at execution
//   and removes it, as backtrader does; sells are never refused (selling past the position goes short).
//
// Intra-bar assumption (it matters only on the bar that triggers a stop-limit): NautilusTrader's
// adaptive ordering. The bar moves open → the extreme nearer the open → the other extreme → close (low
// first on a tie, as Freqtrade). A stop-limit triggered inside the bar (not at the open) fills on that
// bar only if the path after the trigger reaches the limit, and then, conservatively, at the limit or
// at the worst price traded after the trigger if that is better (a buy at min(limit, high), a sell at
// max(limit, low)), never at the better stop price. Triggered at the open (a gap), it is a plain limit
// order for the whole bar.
import type { Bar } from '../../protocol/market.ts';
import type { OrderRequest } from '../../protocol/orders.ts';
import type { FillSpec } from '../../protocol/run.ts';
import { type Account, applyFill, isNoise } from './portfolio.ts';

export interface RestingOrder {
  request: OrderRequest;
  filled_qty: number;
  /** Average price of the fills so far (0 before the first). */
  avg_price: number;
  /** Stop and stop-limit orders: the stop has been hit (the order is now market / limit). */
  triggered: boolean;
}

/** Resting orders in arrival order. */
export interface Book {
  orders: RestingOrder[];
}

export type MatchEvent =
  | { kind: 'fill'; order: RestingOrder; qty: number; price: number; fee: number; remaining: number }
  | { kind: 'rejected'; order: RestingOrder; reason: string };

/** Returned whenever a bar changes nothing; frozen, so a caller that pushes to it fails loudly. */
const NO_EVENTS: MatchEvent[] = Object.freeze([]) as unknown as MatchEvent[];

export function newBook(): Book {
  return { orders: [] };
}

export function submit(book: Book, request: OrderRequest): { ok: true } | { ok: false; reason: string } {
  if (book.orders.some((o) => o.request.order_id === request.order_id)) {
    return { ok: false, reason: `duplicate order_id ${request.order_id}: an order with this id is still open; use a new id for a new order` };
  }
  const needsLimit = request.type === 'limit' || request.type === 'stop_limit';
  const needsStop = request.type === 'stop' || request.type === 'stop_limit';
  if (needsLimit !== (request.limit_price !== null)) {
    return { ok: false, reason: `order ${request.order_id}: limit_price is required for limit and stop_limit orders, and only for them` };
  }
  if (needsStop !== (request.stop_price !== null)) {
    return { ok: false, reason: `order ${request.order_id}: stop_price is required for stop and stop_limit orders, and only for them` };
  }
  if (!(request.qty > 0) || !Number.isFinite(request.qty)) {
    return { ok: false, reason: `order ${request.order_id}: qty must be a positive finite number, got ${request.qty}` };
  }
  book.orders.push({ request, filled_qty: 0, avg_price: 0, triggered: false });
  return { ok: true };
}

/** Remove a resting order and return it; null when no order with that id is resting. */
export function cancel(book: Book, orderId: string): RestingOrder | null {
  const i = book.orders.findIndex((o) => o.request.order_id === orderId);
  if (i < 0) return null;
  return book.orders.splice(i, 1)[0]!;
}

/**
 * Match the resting orders of `bar.symbol` decided before bar `barIndex` against the bar, in arrival
 * order. Mutates the book (filled and rejected orders leave it) and applies each fill to `account` at
 * once, so a later order sees the cash of an earlier fill. An empty book costs one length check; a
 * book of other symbols' orders one pass over them; neither allocates (the shared empty result).
 */
export function matchBar(book: Book, bar: Bar, barIndex: number, spec: FillSpec, account: Account): MatchEvent[] {
  const orders = book.orders;
  if (orders.length === 0) return NO_EVENTS;
  let events: MatchEvent[] | null = null;
  let kept = 0;
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i]!;
    const event = matchOrder(order, bar, barIndex, spec, account);
    if (event !== null) (events ??= []).push(event);
    if (event === null || (event.kind === 'fill' && event.remaining > 0)) orders[kept++] = order;
  }
  orders.length = kept;
  return events ?? NO_EVENTS;
}

function matchOrder(order: RestingOrder, bar: Bar, barIndex: number, spec: FillSpec, account: Account): MatchEvent | null {
  const req = order.request;
  if (req.symbol !== bar.symbol || req.bar_index >= barIndex) return null;
  const price = executionPrice(order, bar, spec);
  if (price === null) return null;
  const remaining = req.qty - order.filled_qty;
  const qty = Math.min(remaining, volumeAllowance(req.qty, bar.volume, spec.volume_cap));
  if (!(qty > 0)) return null;
  const fee = commission(spec.commission, qty, price);
  if (req.side === 'buy') {
    const needed = qty * price + fee;
    // A relative tolerance of 1e-9 lets "buy cash / price shares" through despite rounding.
    if (needed - account.cash > 1e-9 * Math.max(1, Math.abs(account.cash))) {
      return { kind: 'rejected', order, reason: insufficientCash(req, qty, price, fee, account.cash) };
    }
  }
  applyFill(account, req.side, req.symbol, qty, price, fee);
  // Fractional fills can leave 1e-17 of rounding behind (0.7 + 0.3 is 0.9999999999999999): that is done.
  const done = qty === remaining || isNoise(remaining - qty, req.qty);
  order.avg_price = (order.avg_price * order.filled_qty + price * qty) / (order.filled_qty + qty);
  order.filled_qty = done ? req.qty : order.filled_qty + qty;
  return { kind: 'fill', order, qty, price, fee, remaining: done ? 0 : req.qty - order.filled_qty };
}

/** The price the order executes at on this bar, or null when it does not (yet). Sets `triggered`. */
function executionPrice(order: RestingOrder, bar: Bar, spec: FillSpec): number | null {
  const { side, type } = order.request;
  switch (type) {
    case 'market':
      return slipped(marketPrice(bar, spec), side, bar, spec.slippage_bps);
    case 'limit':
      return limitPrice(side, order.request.limit_price!, bar);
    case 'stop': {
      if (order.triggered) return slipped(marketPrice(bar, spec), side, bar, spec.slippage_bps);
      const price = stopPrice(side, order.request.stop_price!, bar);
      if (price === null) return null;
      order.triggered = true;
      return slipped(price, side, bar, spec.slippage_bps);
    }
    case 'stop_limit': {
      const limit = order.request.limit_price!;
      if (order.triggered) return limitPrice(side, limit, bar);
      const stop = order.request.stop_price!;
      const atOpen = side === 'buy' ? bar.open >= stop : bar.open <= stop;
      if (atOpen) {
        order.triggered = true;
        return limitPrice(side, limit, bar);
      }
      const inside = side === 'buy' ? bar.high >= stop : bar.low <= stop;
      if (!inside) return null;
      order.triggered = true;
      return limitAfterIntrabarTrigger(side, stop, limit, bar);
    }
  }
}

function marketPrice(bar: Bar, spec: FillSpec): number {
  return spec.model === 'next_open' ? bar.open : bar.close;
}

/** Limit: a gap through the limit fills at the (better) open, a touch fills at the limit. */
function limitPrice(side: 'buy' | 'sell', limit: number, bar: Bar): number | null {
  if (side === 'buy') return bar.open <= limit ? bar.open : bar.low <= limit ? limit : null;
  return bar.open >= limit ? bar.open : bar.high >= limit ? limit : null;
}

/** Stop: a gap through the stop fills at the (worse) open, a touch fills at the stop. */
function stopPrice(side: 'buy' | 'sell', stop: number, bar: Bar): number | null {
  if (side === 'buy') return bar.open >= stop ? bar.open : bar.high >= stop ? stop : null;
  return bar.open <= stop ? bar.open : bar.low <= stop ? stop : null;
}

/**
 * A stop-limit whose stop was hit inside the bar (the open did not reach it). Path: open → nearer
 * extreme → farther extreme → close, low first on a tie. A buy stop is hit on the way up to the high;
 * after the high the price goes to the low and the close (high first) or only to the close (low first),
 * so the lowest price after the trigger is the low, or min(stop, close). The limit fills if that lowest
 * price reaches it, at min(limit, high): a price that traded after the trigger and is no better than
 * the limit. The sell mirrors it.
 */
function limitAfterIntrabarTrigger(side: 'buy' | 'sell', stop: number, limit: number, bar: Bar): number | null {
  const highFirst = bar.high - bar.open < bar.open - bar.low;
  if (side === 'buy') {
    const lowestAfter = highFirst ? bar.low : Math.min(stop, bar.close);
    return lowestAfter <= limit ? Math.min(limit, bar.high) : null;
  }
  const highestAfter = highFirst ? Math.max(stop, bar.close) : bar.high;
  return highestAfter >= limit ? Math.max(limit, bar.low) : null;
}

/** Move a market or stop price against the order by `bps`, within the bar's range. */
function slipped(price: number, side: 'buy' | 'sell', bar: Bar, bps: number): number {
  if (bps === 0) return price;
  const moved = side === 'buy' ? price * (1 + bps / 1e4) : price * (1 - bps / 1e4);
  return Math.min(bar.high, Math.max(bar.low, moved));
}

/**
 * How much of an order may fill on this bar. Whole-share orders get whole shares; the product is
 * nudged up by 1e-12 before flooring because 0.29 × 100 is 28.999999999999996 in doubles.
 */
function volumeAllowance(orderQty: number, volume: number, cap: number | null): number {
  if (cap === null) return Number.POSITIVE_INFINITY;
  const raw = cap * volume;
  return Number.isInteger(orderQty) ? Math.floor(raw * (1 + 1e-12)) : raw;
}

export function commission(c: FillSpec['commission'], qty: number, price: number): number {
  return Math.max(c.minimum, c.rate * qty * price + c.per_share * qty);
}

function insufficientCash(req: OrderRequest, qty: number, price: number, fee: number, cash: number): string {
  const needed = qty * price + fee;
  return (
    `insufficient cash: needs ${needed.toFixed(2)}, has ${cash.toFixed(2)} ` +
    `(order ${req.order_id}: buy ${qty} ${req.symbol} at ${price} + fee ${fee.toFixed(2)}); size orders to the cash available`
  );
}
