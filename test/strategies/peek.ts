// test_peek: a strategy that reports what it sees and trades at random, deterministically. On every bar
// it notes (strategy.DecisionMade, action 'observed', before anything else it does on that bar) the
// clock, each of its symbols' current bar (or null), the last values of every history field, its
// positions, cash and open orders; then, per symbol with a bar, it may place one market, limit or stop
// order chosen by a hash of (seed, bar index, symbol), and cancels orders left open for `ttl` bars.
// Limit and stop prices lie inside the deciding bar's range, so a venue that filled on the deciding bar
// would be caught. Look-ahead tests compare the observations with the series they fed in.
// Default export, so WEAVER_STRATEGY_MODULES can load it in worker threads too.
import { defineStrategy } from '../../actors/marvin/strategy.ts';

export type PeekParams = { readonly seed: number; readonly depth: number; readonly rate: number; readonly qty: number; readonly ttl: number };

export interface PeekState {
  /** Bars seen per symbol. */
  seen: Record<string, number>;
}

export const PEEK_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type PeekField = (typeof PEEK_FIELDS)[number];

/** What the strategy saw of one symbol on one bar. */
export interface PeekSymbolView {
  readonly symbol: string;
  readonly bar: { ts: number; open: number; high: number; low: number; close: number; volume: number } | null;
  /** ctx.history(field, m) with m = min(bars seen, depth); null without a bar. */
  readonly history: Record<PeekField, number[] | null> | null;
  /** ctx.history('close', m + 1) while m < depth: must be null (no bar it has not seen). */
  readonly beyond: number[] | null;
  readonly position: number;
}

/** The `details` of an 'observed' decision. */
export interface PeekObservation {
  readonly bar_index: number;
  readonly now: number;
  readonly iso: string;
  readonly cash: number;
  readonly open_orders: string[];
  readonly symbols: PeekSymbolView[];
}

/** A well-mixed 32-bit hash (the finaliser of murmur3), as a fraction in [0, 1). */
function mix(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
export function peekRandom(seed: number, barIndex: number, symbolIndex: number, salt: number): number {
  return mix(mix(mix(mix(seed) ^ barIndex) ^ symbolIndex) ^ salt) / 2 ** 32;
}

export default defineStrategy<PeekParams, PeekState>({
  name: 'test_peek',
  description: 'Test strategy: notes everything it sees on each bar and places random, seeded market/limit/stop orders.',
  params: {
    seed: { type: 'integer', default: 1, description: 'Seed of the order choices.' },
    depth: { type: 'integer', default: 5, min: 1, description: 'Bars of history it reads (and declares).' },
    rate: { type: 'number', default: 0.3, min: 0, max: 1, description: 'Chance of an order per symbol and bar.' },
    qty: { type: 'number', default: 1, min: 0, description: 'Quantity of each order (> 0).' },
    ttl: { type: 'integer', default: 4, min: 1, description: 'Bars after which an order still open is canceled.' },
  },
  validate(p) {
    return p.qty > 0 ? null : `qty must be greater than 0, got ${p.qty}`;
  },
  history: (p) => p.depth,
  init() {
    return { seen: {} };
  },
  onBar(ctx, state) {
    const { seed, depth, rate, qty, ttl } = ctx.params;
    const k = ctx.clock.barIndex;
    const symbols: PeekSymbolView[] = ctx.symbols.map((symbol) => {
      const bar = ctx.bar(symbol);
      const position = ctx.position(symbol);
      if (!bar) return { symbol, bar: null, history: null, beyond: null, position };
      const n = (state.seen[symbol] = (state.seen[symbol] ?? 0) + 1);
      const m = Math.min(n, depth);
      const history = Object.fromEntries(PEEK_FIELDS.map((f) => [f, ctx.history(f, m, symbol)])) as Record<PeekField, number[] | null>;
      const { ts, open, high, low, close, volume } = bar;
      return { symbol, bar: { ts, open, high, low, close, volume }, history, beyond: m < depth ? ctx.history('close', m + 1, symbol) : null, position };
    });
    const observation: PeekObservation = { bar_index: k, now: ctx.clock.now, iso: ctx.clock.iso(), cash: ctx.cash, open_orders: ctx.openOrders().map((o) => o.order_id), symbols };
    ctx.note('observed', `test_peek saw bar ${k}`, { ...observation });

    for (const o of ctx.openOrders()) if (k - o.bar_index === ttl) ctx.cancel(o.order_id, `open for ${ttl} bars`);
    ctx.symbols.forEach((symbol, si) => {
      const bar = ctx.bar(symbol);
      if (!bar || peekRandom(seed, k, si, 1) >= rate) return;
      const kind = Math.floor(peekRandom(seed, k, si, 2) * 3);
      const side = peekRandom(seed, k, si, 3) < 0.5 ? 'buy' : 'sell';
      // A price inside the deciding bar's range: it would fill (limit) or trigger (stop) on this very bar.
      const inside = bar.low + peekRandom(seed, k, si, 4) * (bar.high - bar.low);
      const options = kind === 0 ? { symbol } : kind === 1 ? { symbol, type: 'limit' as const, limit: inside } : { symbol, type: 'stop' as const, stop: inside };
      if (side === 'buy') ctx.buy(qty, options);
      else ctx.sell(qty, options);
    });
  },
});
