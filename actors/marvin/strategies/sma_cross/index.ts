// sma_cross: long-only moving-average crossover, literal enough to reproduce backtrader's CrossOver
// strategy (tests/test_strategy_unoptimized.py: SMA(15) on 2006-day-001.txt) to the cent.
//
// On each bar's close, for each symbol of the instance that has a bar at this tick, independently:
// - fast = SMA(fast) and slow = SMA(slow) of the close (SMA(1) is the close itself); diff = fast − slow.
// - "Crosses above": the last non-zero diff before this bar was < 0 (it was ≤ 0 at the last bar where
//   it was non-zero) and diff > 0 now; "crosses below" mirrors it (> 0 then, < 0 now). Bars where the
//   SMAs are equal neither cross nor reset the memory, as backtrader's NonZeroDifference. No signal until
//   both SMAs exist and an earlier bar had both with a non-zero diff.
// - Flat and crosses above → buy `qty` at market. Long and crosses below → sell the whole position at
//   market. Any other signal (already long, flat and crossing below) does nothing.
// - One order at a time: while the symbol has an open order (decided earlier, not yet filled, canceled
//   or rejected) no order is placed and the ignored signal is noted. The crossing memory is still
//   updated on every bar, pending order or not.
// Orders fill from the next bar on (the venue's fill model decides at which price).
// Plots sma_fast and sma_slow (prefixed `SYMBOL:` when the instance trades several symbols).
import { defineStrategy } from '../../strategy.ts';
import type { StrategyContext } from '../../strategy.ts';
import { formatPrice, plotKey } from '../lib/format.ts';
import { QTY_PARAM, qtyProblem } from '../lib/qty.ts';
import { pushMean, rollingMean } from '../lib/rolling-mean.ts';
import type { RollingMean } from '../lib/rolling-mean.ts';

export type SmaCrossParams = { readonly fast: number; readonly slow: number; readonly qty: number };

interface SymbolState {
  readonly fast: RollingMean;
  readonly slow: RollingMean;
  /** The last non-zero fast − slow of an earlier bar; 0 while there was none (it is never 0 otherwise). */
  lastNonZero: number;
}

export interface SmaCrossState {
  readonly symbols: Record<string, SymbolState>;
}

type Ctx = StrategyContext<SmaCrossParams>;

export default defineStrategy<SmaCrossParams, SmaCrossState>({
  name: 'sma_cross',
  description: 'Long-only SMA crossover: buy when the fast SMA of the close crosses above the slow one, sell all when it crosses below; one order at a time.',
  params: {
    fast: { type: 'integer', default: 10, min: 1, description: 'Bars of the fast SMA of the close (1: the close itself).' },
    slow: { type: 'integer', default: 30, min: 2, description: 'Bars of the slow SMA of the close; must be greater than fast.' },
    qty: QTY_PARAM,
  },
  validate(p) {
    if (p.fast >= p.slow) return `fast (${p.fast}) must be less than slow (${p.slow}): lower fast or raise slow`;
    return qtyProblem(p.qty);
  },
  init() {
    return { symbols: {} };
  },
  onBar(ctx, state) {
    const plot: Record<string, number> = {};
    for (const symbol of ctx.symbols) {
      const bar = ctx.bar(symbol);
      if (bar) onSymbolBar(ctx, state, plot, symbol, bar.close);
    }
    if (Object.keys(plot).length > 0) ctx.plot(plot);
  },
});

function onSymbolBar(ctx: Ctx, state: SmaCrossState, plot: Record<string, number>, symbol: string, close: number): void {
  const { fast: fastN, slow: slowN, qty } = ctx.params;
  const s = (state.symbols[symbol] ??= { fast: rollingMean(fastN), slow: rollingMean(slowN), lastNonZero: 0 });
  const fast = pushMean(s.fast, close);
  const slow = pushMean(s.slow, close);

  if (fast !== null) plot[plotKey(ctx.symbols, symbol, 'sma_fast')] = fast;
  if (slow !== null) plot[plotKey(ctx.symbols, symbol, 'sma_slow')] = slow;
  if (fast === null || slow === null) return;

  const diff = fast - slow;
  const before = s.lastNonZero;
  if (diff !== 0) s.lastNonZero = diff;
  const crossedAbove = before < 0 && diff > 0;
  const crossedBelow = before > 0 && diff < 0;
  if (!crossedAbove && !crossedBelow) return;

  const what = `fast SMA(${fastN}) ${formatPrice(fast)} crossed ${crossedAbove ? 'above' : 'below'} slow SMA(${slowN}) ${formatPrice(slow)}`;
  const position = ctx.position(symbol);
  const wantsBuy = crossedAbove && position === 0;
  const wantsSell = crossedBelow && position > 0;
  if (!wantsBuy && !wantsSell) return;

  const pending = ctx.openOrders(symbol);
  if (pending.length > 0) {
    ctx.note('signal_ignored', `${what}, but order ${pending[0]!.order_id} is still open`, { symbol, order_id: pending[0]!.order_id });
    return;
  }
  if (wantsBuy) ctx.buy(qty, { symbol, reason: what });
  else ctx.sell(position, { symbol, reason: what });
}
