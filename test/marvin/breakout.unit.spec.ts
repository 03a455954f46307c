import { describe, expect, it } from 'vitest';
import breakout from '../../actors/marvin/strategies/breakout/index.ts';
import type { BreakoutParams, BreakoutState } from '../../actors/marvin/strategies/breakout/index.ts';
import { extremeOf, pushExtreme, rollingMax, rollingMin } from '../../actors/marvin/strategies/lib/rolling-extreme.ts';
import { resolveParams } from '../../actors/marvin/params.ts';
import { StrategyHarness } from './strategy-harness.ts';

type H = StrategyHarness<BreakoutParams, BreakoutState>;
const bar = (high: number, low: number) => ({ open: (high + low) / 2, high, low, close: (high + low) / 2 });
const make = (symbols?: string[]): H => new StrategyHarness<BreakoutParams, BreakoutState>(breakout, { params: { entry: 3, exit: 2, qty: 2 }, symbols });
const orders = (h: H, barIndex?: number) => h.ofKind('order', barIndex).map((i) => ({ id: i.order.order_id, side: i.order.side, type: i.order.type, qty: i.order.qty, stop: i.order.stop_price }));
const cancels = (h: H, barIndex?: number) => h.ofKind('cancel', barIndex).map((i) => i.order_id);

/** Bars 0..4: the channel forms (buy stop o1 at 11 on bar 2), then moves down (bar 4: o1 canceled, o2 at 10.8). */
function formed(): H {
  const h = make();
  h.feed(bar(10, 8));
  h.feed(bar(11, 9));
  h.feed(bar(10.5, 9.5));
  h.feed(bar(10.8, 10));
  h.feed(bar(10.6, 10.1));
  return h;
}

describe('breakout', () => {
  it('places nothing before `entry` bars, then a buy stop at the highest high, kept while the channel holds', () => {
    const h = formed();
    expect(orders(h, 0)).toEqual([]);
    expect(orders(h, 1)).toEqual([]);
    expect(orders(h, 2)).toEqual([{ id: 'o1', side: 'buy', type: 'stop', qty: 2, stop: 11 }]);
    expect(h.ofKind('order', 2)[0]!.reason).toBe('entry: buy stop for 2 at the 3-bar high 11.00');
    expect(orders(h, 3)).toEqual([]); // upper still 11: nothing to do
    expect(cancels(h, 3)).toEqual([]);
    expect(h.ofKind('plot').map((p) => [p.bar_index, p.values])).toEqual([
      [1, { donchian_lower: 8 }],
      [2, { donchian_upper: 11, donchian_lower: 9 }],
      [3, { donchian_upper: 11, donchian_lower: 9.5 }],
      [4, { donchian_upper: 10.8, donchian_lower: 10 }],
    ]);
  });

  it('cancels and re-places the entry stop when the channel moves', () => {
    const h = formed();
    expect(cancels(h, 4)).toEqual(['o1']);
    expect(h.ofKind('cancel', 4)[0]!.reason).toBe('3-bar high moved 11.00 → 10.80');
    expect(orders(h, 4)).toEqual([{ id: 'o2', side: 'buy', type: 'stop', qty: 2, stop: 10.8 }]);
    expect(h.ofKind('order', 4)[0]!.reason).toBe('entry: buy stop for 2 at the 3-bar high 10.80 (replaces o1: 3-bar high moved 11.00 → 10.80)');
  });

  it('neither cancels twice nor counts an order whose cancel is not yet confirmed', () => {
    const h = formed();
    h.feed(bar(10.7, 10.2)); // bar 5: o1's cancel unconfirmed, upper still 10.8
    expect(h.openOrders().map((o) => o.order_id)).toEqual(['o1', 'o2']);
    expect(cancels(h, 5)).toEqual([]);
    expect(orders(h, 5)).toEqual([]);
    h.advance(bar(10.7, 10.3)); // bar 6: the venue confirms, upper = 10.7 now
    h.confirmCancel('o1');
    h.runBar();
    expect(cancels(h, 6)).toEqual(['o2']);
    expect(orders(h, 6)).toEqual([{ id: 'o3', side: 'buy', type: 'stop', qty: 2, stop: 10.7 }]);
  });

  it('exits a position with a sell stop at the lowest low, trails it, and re-enters when flat', () => {
    const h = formed();
    h.advance(bar(12, 10.5)); // bar 5: breaks out; o1's cancel confirmed, o2 fills
    h.confirmCancel('o1');
    h.fill('o2', 10.8);
    h.runBar();
    expect(h.position()).toBe(2);
    expect(orders(h, 5)).toEqual([{ id: 'o3', side: 'sell', type: 'stop', qty: 2, stop: 10.1 }]);
    expect(h.ofKind('order', 5)[0]!.reason).toBe('exit: sell stop for 2 at the 2-bar low 10.10');

    h.feed(bar(12.5, 11)); // bar 6: lower 10.5 → trail
    expect(cancels(h, 6)).toEqual(['o3']);
    expect(orders(h, 6)).toEqual([{ id: 'o4', side: 'sell', type: 'stop', qty: 2, stop: 10.5 }]);

    h.advance(bar(11.2, 10.2)); // bar 7: stopped out
    h.confirmRequestedCancels();
    h.fill('o4', 10.5);
    h.runBar();
    expect(h.position()).toBe(0);
    expect(h.cash).toBeCloseTo(10_000 - 2 * 10.8 + 2 * 10.5, 9);
    expect(orders(h, 7)).toEqual([{ id: 'o5', side: 'buy', type: 'stop', qty: 2, stop: 12.5 }]);
    expect(cancels(h, 7)).toEqual([]);
  });

  it('cancels what is left of a partly filled entry and protects the part that filled', () => {
    const h = make();
    h.feed(bar(10, 8));
    h.feed(bar(11, 9));
    h.feed(bar(10.5, 9.5)); // o1: buy stop 2 at 11
    h.advance(bar(11.5, 10));
    h.fill('o1', 11, 1);
    h.runBar();
    expect(cancels(h, 3)).toEqual(['o1']);
    expect(h.ofKind('cancel', 3)[0]!.reason).toBe('position entered: leftover entry order canceled');
    expect(orders(h, 3)).toEqual([{ id: 'o2', side: 'sell', type: 'stop', qty: 1, stop: 9.5 }]);
  });

  it('keeps a partly filled exit stop that still covers the position, and re-enters once it is done', () => {
    const h = make();
    h.feed(bar(10, 8));
    h.feed(bar(11, 9));
    h.feed(bar(10.5, 9.5)); // o1
    h.advance(bar(11.5, 10));
    h.fill('o1', 11);
    h.runBar(); // o2: sell stop 2 at 9.5
    h.advance(bar(10.4, 9.4));
    h.fill('o2', 9.5, 1);
    h.runBar(); // long 1, o2 has 1 left at 9.5 and lower = min(10, 9.4) = 9.4: moved → replaced for 1
    expect(cancels(h, 4)).toEqual(['o2']);
    expect(orders(h, 4)).toEqual([{ id: 'o3', side: 'sell', type: 'stop', qty: 1, stop: 9.4 }]);
    h.advance(bar(10, 9.6)); // lower = min(9.4, 9.6) = 9.4: unchanged, o3 kept
    h.confirmRequestedCancels();
    h.runBar();
    expect(orders(h, 5)).toEqual([]);
    expect(cancels(h, 5)).toEqual([]);
  });

  it('handles an entry that filled although its cancel was asked: the position is exited, the newer entry canceled', () => {
    const h = formed(); // o1 (cancel asked) and o2 (working) are both open
    h.advance(bar(11.5, 10.5));
    h.fill('o1', 11); // the venue filled o1 before the cancel reached it
    h.runBar();
    expect(h.position()).toBe(2);
    expect(cancels(h, 5)).toEqual(['o2']);
    expect(orders(h, 5)).toEqual([{ id: 'o3', side: 'sell', type: 'stop', qty: 2, stop: 10.1 }]);
  });

  it('trades each symbol on its own and prefixes its plots', () => {
    const h = make(['AAA', 'BBB']);
    for (const [a, b] of [
      [10, 20],
      [11, 21],
      [10.5, 19],
    ]) {
      h.feed([
        { symbol: 'AAA', ...bar(a!, a! - 1) },
        { symbol: 'BBB', ...bar(b!, b! - 1) },
      ]);
    }
    expect(h.ofKind('order').map((i) => [i.order.symbol, i.order.stop_price])).toEqual([
      ['AAA', 11],
      ['BBB', 21],
    ]);
    expect(h.ofKind('plot', 2)[0]!.values).toEqual({ 'AAA:donchian_upper': 11, 'AAA:donchian_lower': 9.5, 'BBB:donchian_upper': 21, 'BBB:donchian_lower': 18 });
  });

  it('declares its parameters with bounds and rejects a non-positive qty', () => {
    expect(resolveParams(breakout, {})).toEqual({ entry: 20, exit: 10, qty: 1 });
    expect(() => resolveParams(breakout, { qty: '0' })).toThrow(/qty must be greater than 0/);
    expect(() => resolveParams(breakout, { entry: '0' })).toThrow(/entry of breakout must be an integer ≥ 1/);
  });
});

describe('rolling extremes', () => {
  it('equal the plain max and min of the window on random, rising, falling and flat series', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const series = {
      random: Array.from({ length: 5_000 }, () => Math.round(rand() * 100)),
      rising: Array.from({ length: 2_000 }, (_, i) => i),
      falling: Array.from({ length: 2_000 }, (_, i) => -i),
      flat: Array.from({ length: 500 }, () => 5),
    };
    for (const [name, values] of Object.entries(series)) {
      for (const period of [1, 3, 20, 300]) {
        const hi = rollingMax(period);
        const lo = rollingMin(period);
        let wrong = 0;
        values.forEach((x, i) => {
          const max = pushExtreme(hi, x);
          const min = pushExtreme(lo, x);
          const window = i + 1 < period ? null : values.slice(i + 1 - period, i + 1);
          if (max !== (window && Math.max(...window)) || min !== (window && Math.min(...window))) wrong++;
        });
        expect({ name, period, wrong }).toEqual({ name, period, wrong: 0 });
        expect(hi.idx.length).toBeLessThanOrEqual(Math.max(2 * period, 64 + period)); // trimmed, not growing with the run
        expect(extremeOf(hi)).toBe(Math.max(...values.slice(-period)));
      }
    }
  });
});
