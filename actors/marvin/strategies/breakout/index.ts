// breakout: long-only Donchian channel breakout with resting stop orders (the Turtle rule).
//
// On each bar's close, for each symbol of the instance that has a bar at this tick, independently:
// - upper = the highest high of the last `entry` bars, lower = the lowest low of the last `exit` bars,
//   both counting this bar (so the orders below trigger on a later bar that trades beyond them).
// - Flat: keep one buy STOP for `qty` at upper. When upper moves, cancel the resting stop and place a
//   new one at the new upper on the same bar (the venue handles the cancel before it matches the next
//   bar). Nothing is placed until `entry` bars were seen.
// - Long: keep one sell STOP for the whole position at lower, moved the same way when lower moves (or
//   the position changes size); nothing until `exit` bars were seen. Any order left over from the
//   entry (the rest of a partly filled buy stop, a second entry that raced a cancel) is canceled.
// - Short (never made by this strategy): every open order of the symbol is canceled and it is noted.
// Pending orders: at most one working order per symbol. An order this strategy asked to cancel is
// remembered until it leaves ctx.openOrders (canceled or filled) and is never counted as working nor
// canceled twice; if it filled after all, the position it left is handled on the next bar by the rules
// above (long → exit stop for the whole position).
// Plots donchian_upper and donchian_lower (prefixed `SYMBOL:` when the instance trades several symbols).
import { defineStrategy } from '../../strategy.ts';
import type { OrderView, StrategyContext } from '../../strategy.ts';
import { formatPrice, plotKey } from '../lib/format.ts';
import { QTY_PARAM, qtyProblem } from '../lib/qty.ts';
import { pushExtreme, rollingMax, rollingMin } from '../lib/rolling-extreme.ts';
import type { RollingExtreme } from '../lib/rolling-extreme.ts';

export type BreakoutParams = { readonly entry: number; readonly exit: number; readonly qty: number };

interface SymbolState {
  readonly high: RollingExtreme;
  readonly low: RollingExtreme;
  /** Orders asked to cancel that were still open at the last look. */
  cancelling: string[];
}

export interface BreakoutState {
  readonly symbols: Record<string, SymbolState>;
}

type Ctx = StrategyContext<BreakoutParams>;

export default defineStrategy<BreakoutParams, BreakoutState>({
  name: 'breakout',
  description: 'Long-only Donchian breakout: a buy stop at the highest high of the last `entry` bars, exited by a sell stop at the lowest low of the last `exit` bars; both follow the channel.',
  params: {
    entry: { type: 'integer', default: 20, min: 1, description: 'Bars of the entry channel: buy on a break above their highest high.' },
    exit: { type: 'integer', default: 10, min: 1, description: 'Bars of the exit channel: sell all on a break below their lowest low.' },
    qty: QTY_PARAM,
  },
  validate(p) {
    return qtyProblem(p.qty);
  },
  init() {
    return { symbols: {} };
  },
  onBar(ctx, state) {
    const plot: Record<string, number> = {};
    for (const symbol of ctx.symbols) {
      const bar = ctx.bar(symbol);
      if (bar) onSymbolBar(ctx, state, plot, symbol, bar.high, bar.low);
    }
    if (Object.keys(plot).length > 0) ctx.plot(plot);
  },
});

function onSymbolBar(ctx: Ctx, state: BreakoutState, plot: Record<string, number>, symbol: string, high: number, low: number): void {
  const { entry, exit, qty } = ctx.params;
  const s = (state.symbols[symbol] ??= { high: rollingMax(entry), low: rollingMin(exit), cancelling: [] });
  const upper = pushExtreme(s.high, high);
  const lower = pushExtreme(s.low, low);

  if (upper !== null) plot[plotKey(ctx.symbols, symbol, 'donchian_upper')] = upper;
  if (lower !== null) plot[plotKey(ctx.symbols, symbol, 'donchian_lower')] = lower;

  const open = ctx.openOrders(symbol);
  s.cancelling = s.cancelling.filter((id) => open.some((o) => o.order_id === id));
  const working = open.filter((o) => !s.cancelling.includes(o.order_id));
  const cancel = (o: OrderView, reason: string): void => {
    ctx.cancel(o.order_id, reason);
    s.cancelling.push(o.order_id);
  };

  const position = ctx.position(symbol);
  if (position < 0) {
    for (const o of working) cancel(o, 'breakout is long-only: short position');
    ctx.note('short_position', `breakout is long-only and holds ${position} ${symbol}; it places no orders for it`, { symbol, position });
    return;
  }

  const long = position > 0;
  const side = long ? 'sell' : 'buy';
  for (const o of working) if (o.side !== side) cancel(o, long ? 'position entered: leftover entry order canceled' : 'flat: leftover exit order canceled');
  const resting = working.filter((o) => o.side === side);
  for (const o of resting.slice(1)) cancel(o, 'more than one working order: extra canceled');
  const current = resting[0];

  const stop = long ? lower : upper;
  if (stop === null || !(stop > 0)) return;
  const size = long ? position : qty;
  if (current && current.type === 'stop' && current.stop_price === stop && current.qty - current.filled_qty === size) return;

  const channel = long ? `${exit}-bar low` : `${entry}-bar high`;
  let replaced = '';
  if (current) {
    const was = current.type === 'stop' && current.stop_price !== null ? formatPrice(current.stop_price) : `a ${current.type} order`;
    const why = current.type === 'stop' && current.stop_price === stop ? `quantity now ${size}` : `${channel} moved ${was} → ${formatPrice(stop)}`;
    cancel(current, why);
    replaced = ` (replaces ${current.order_id}: ${why})`;
  }
  if (long) ctx.sell(size, { symbol, type: 'stop', stop, reason: `exit: sell stop for ${size} at the ${channel} ${formatPrice(stop)}${replaced}` });
  else ctx.buy(size, { symbol, type: 'stop', stop, reason: `entry: buy stop for ${size} at the ${channel} ${formatPrice(stop)}${replaced}` });
}
