import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import smaCross from '../../actors/marvin/strategies/sma_cross/index.ts';
import type { SmaCrossParams, SmaCrossState } from '../../actors/marvin/strategies/sma_cross/index.ts';
import { meanOf, pushMean, rollingMean } from '../../actors/marvin/strategies/lib/rolling-mean.ts';
import type { RawParams } from '../../actors/marvin/params.ts';
import { StrategyHarness } from './strategy-harness.ts';

const flat = (close: number) => ({ open: close, high: close, low: close, close });

function harness(params: RawParams, symbols?: string[]) {
  return new StrategyHarness<SmaCrossParams, SmaCrossState>(smaCross, { params, symbols });
}

/** Feed closes; market orders fill at the next bar's open (here: its close) before the strategy sees that bar. */
function run(h: StrategyHarness<SmaCrossParams, SmaCrossState>, closes: readonly number[], fill = true) {
  for (const close of closes) {
    h.advance(flat(close));
    if (fill) for (const o of h.openOrders()) h.fill(o.order_id, close);
    h.runBar();
  }
  return h;
}

const orders = (h: StrategyHarness<SmaCrossParams, SmaCrossState>) => h.ofKind('order').map((i) => [i.bar_index, i.order.side, i.order.qty]);

describe('sma_cross', () => {
  it('buys on the bar the fast SMA crosses above the slow one and sells the whole position on the bar it crosses below', () => {
    // fast=1 (the close), slow=3: diff at bars 2..10 = 0, −.67, −1, +2.33, +2, +1, −3, −3, −.67
    const h = run(harness({ fast: 1, slow: 3, qty: 2 }), [10, 10, 10, 9, 8, 12, 13, 14, 9, 7, 7]);
    expect(orders(h)).toEqual([
      [5, 'buy', 2],
      [8, 'sell', 2],
    ]);
    expect(h.ofKind('order')[0]!.reason).toBe('fast SMA(1) 12.00 crossed above slow SMA(3) 9.67');
    expect(h.ofKind('order')[1]!.reason).toBe('fast SMA(1) 9.00 crossed below slow SMA(3) 12.00');
    expect(h.ofKind('order').every((i) => i.order.type === 'market')).toBe(true);
    expect(h.position()).toBe(0);
  });

  it('uses the same rule with fast > 1 and sells the whole position whatever its size', () => {
    // fast=2, slow=4: SMAs exist from bar 3; diff: bar3 (9+8)/2 − 9.5 = −1, bar4 (8+13)/2 − 10.25 = +.25 → buy
    const h = harness({ fast: 2, slow: 4, qty: 3 });
    run(h, [10, 11, 9, 8, 13]);
    expect(orders(h)).toEqual([[4, 'buy', 3]]);
    h.advance(flat(12));
    h.fill(h.openOrders()[0]!.order_id, 12, 1); // partly filled, then the rest
    h.fill(h.openOrders()[0]!.order_id, 12);
    h.runBar();
    run(h, [5]); // bar 6: (12+5)/2 − (8+13+12+5)/4 = 8.5 − 9.5 < 0 → sell 3
    expect(orders(h)).toEqual([
      [4, 'buy', 3],
      [6, 'sell', 3],
    ]);
  });

  it('crosses when the difference was ≤ 0 at its last non-zero bar, however many equal-SMA bars came between', () => {
    // fast=1, slow=2: diff = (close − previous close) / 2, so an unchanged close makes the SMAs equal
    const up = run(harness({ fast: 1, slow: 2 }), [10, 9, 9, 9, 9, 10]);
    expect(orders(up)).toEqual([[5, 'buy', 1]]);

    // last non-zero was > 0: equal bars then a rise is no crossing
    const still = run(harness({ fast: 1, slow: 2 }), [10, 9, 10, 10, 10, 11]);
    expect(orders(still)).toEqual([[2, 'buy', 1]]);
    expect(orders(run(harness({ fast: 1, slow: 2 }), [10, 11, 11, 12]))).toEqual([]);

    // and the mirror for the exit: long, up, equal, equal, down → sell on the down bar
    const down = run(harness({ fast: 1, slow: 2 }), [10, 9, 10, 11, 11, 11, 10]);
    expect(orders(down)).toEqual([
      [2, 'buy', 1],
      [6, 'sell', 1],
    ]);
  });

  it('gives no signal before both SMAs exist and an earlier bar had a non-zero difference', () => {
    // slow=3 exists from bar 2; bar 2 is the first difference: even a big rise there is no crossing
    expect(orders(run(harness({ fast: 1, slow: 3 }), [10, 5, 30]))).toEqual([]);
    // all differences zero so far, then positive: no earlier non-zero difference, no signal (backtrader's NZD seeds 0)
    const h = run(harness({ fast: 1, slow: 2 }), [10, 10, 10, 11]);
    expect(orders(h)).toEqual([]);
    run(h, [10, 11]); // then down (−) and up (+): a real crossing
    expect(orders(h)).toEqual([[5, 'buy', 1]]);
  });

  it('plots each SMA from the bar it exists, and fast=1 plots the close itself', () => {
    const closes = [3604.33, 3614.34, 3652.46, 3650.24];
    const h = run(harness({ fast: 1, slow: 3 }), closes);
    const plots = h.ofKind('plot');
    expect(plots.map((p) => p.bar_index)).toEqual([0, 1, 2, 3]);
    expect(plots.map((p) => p.values.sma_fast)).toEqual(closes);
    expect(plots.map((p) => p.values.sma_slow)).toEqual([undefined, undefined, (3604.33 + 3614.34 + 3652.46) / 3, (3614.34 + 3652.46 + 3650.24) / 3].map((v) => (v === undefined ? v : expect.closeTo(v, 9))));
  });

  it('places no order while one is open, notes the ignored signal, and keeps tracking crossings meanwhile', () => {
    const h = harness({ fast: 1, slow: 2 });
    run(h, [10, 9, 10], false); // bar 2: crosses above → buy o1, never filled
    expect(orders(h)).toEqual([[2, 'buy', 1]]);
    run(h, [9, 10], false); // bar 3 down (flat: nothing), bar 4 up again: o1 still open
    expect(orders(h)).toHaveLength(1);
    expect(h.ofKind('note')).toMatchObject([{ bar_index: 4, action: 'signal_ignored', reason: expect.stringMatching(/crossed above .* but order o1 is still open/) }]);

    run(h, [9], false); // bar 5: down, still pending (the memory is now "below")
    h.advance(flat(10)); // bar 6: the venue rejects o1 before the strategy sees the bar
    h.reject('o1', 'insufficient buying power');
    h.runBar(); // up after down (tracked during the pending bars): buys again
    expect(orders(h)).toEqual([
      [2, 'buy', 1],
      [6, 'buy', 1],
    ]);

    // long with a pending sell: a second crossing below is ignored, not doubled
    h.advance(flat(10));
    h.fill('o2', 10);
    h.runBar();
    run(h, [9, 10, 9], false); // bar 8 sell o3; bar 9 up (long: nothing); bar 10 down again, o3 open
    expect(orders(h)).toEqual([
      [2, 'buy', 1],
      [6, 'buy', 1],
      [8, 'sell', 1],
    ]);
    expect(h.ofKind('note', 10)).toMatchObject([{ action: 'signal_ignored', details: { order_id: 'o3' } }]);
  });

  it('trades each symbol of the instance on its own, with prefixed plot names', () => {
    const h = harness({ fast: 1, slow: 2 }, ['AAA', 'BBB']);
    const ticks: [number, number | null][] = [
      [10, 20],
      [9, 21],
      [10, null], // BBB has no bar at this tick
      [10, 20],
      [10, 21],
    ];
    for (const [a, b] of ticks) {
      const bars = [{ symbol: 'AAA', ...flat(a) }];
      if (b !== null) bars.push({ symbol: 'BBB', ...flat(b) });
      h.feed(bars);
    }
    expect(h.ofKind('order').map((i) => [i.bar_index, i.order.symbol, i.order.side])).toEqual([
      [2, 'AAA', 'buy'],
      [4, 'BBB', 'buy'],
    ]);
    expect(Object.keys(h.ofKind('plot')[1]!.values).sort()).toEqual(['AAA:sma_fast', 'AAA:sma_slow', 'BBB:sma_fast', 'BBB:sma_slow']);
  });

  it('keeps its SMAs equal to the plain mean of the window over a long random series', () => {
    // A random walk around 3,600 that drops 1000× halfway (a running sum's error outlives the prices
    // that made it); a seeded LCG, so the test is reproducible.
    let seed = 42;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const n = 500_000;
    const closes = new Float64Array(n);
    let price = 3600;
    for (let i = 0; i < n; i++) {
      closes[i] = price * (i < n / 2 ? 1 : 0.001);
      price = Math.max(100, price + (rand() - 0.5) * 40);
    }
    const plainMean = (end: number, period: number) => {
      let sum = 0;
      for (let j = end - period + 1; j <= end; j++) sum += closes[j]!;
      return sum / period;
    };

    for (const period of [1, 15, 200]) {
      const m = rollingMean(period);
      let worst = 0;
      let early = 0;
      let inexactCloses = 0;
      for (let i = 0; i < n; i++) {
        const got = pushMean(m, closes[i]!);
        if (i < period - 1) {
          if (got !== null) early++;
          continue;
        }
        if (period === 1 && got !== closes[i]) inexactCloses++;
        if (i % 997 === 0 || i === n - 1) worst = Math.max(worst, Math.abs(got! / plainMean(i, period) - 1));
      }
      expect({ period, early, inexactCloses }).toEqual({ period, early: 0, inexactCloses: 0 });
      expect(worst, `period ${period}`).toBeLessThan(1e-13);
      expect(Math.abs(meanOf(m)! / plainMean(n - 1, period) - 1)).toBeLessThan(1e-13);
    }

    // and through the strategy (its state JSON round-tripped every bar): every plotted SMA of every bar
    const h = harness({ fast: 7, slow: 50 });
    const from = n / 2 - 10_000;
    for (let i = from; i < from + 20_000; i++) h.feed(flat(closes[i]!));
    let worst = 0;
    const plots = h.ofKind('plot');
    expect(plots.map((p) => p.bar_index)).toEqual(Array.from({ length: 20_000 - 6 }, (_, i) => i + 6)); // from SMA(7)'s first bar
    for (const p of plots) {
      for (const [key, period] of [['sma_fast', 7], ['sma_slow', 50]] as const) {
        if (p.bar_index < period - 1) continue;
        worst = Math.max(worst, Math.abs(p.values[key]! / plainMean(from + p.bar_index, period) - 1));
      }
    }
    expect(worst).toBeLessThan(1e-13);
    expect(Object.keys(plots.find((p) => p.bar_index === 48)!.values)).toEqual(['sma_fast']);
    expect(Object.keys(plots.find((p) => p.bar_index === 49)!.values)).toEqual(['sma_fast', 'sma_slow']);
  });
});

// backtrader's tests/test_strategy_unoptimized.py (stocklike): SMA(15) crossover on its 2006 daily
// file, market orders at the next bar's open, no commission, 10,000 cash.
const REFERENCE = '/work/shared/data/backtrader/2006-day-001.txt';

describe('sma_cross against backtrader', () => {
  const present = existsSync(REFERENCE);
  it.skipIf(!present)(present ? "reproduces backtrader's result on 2006-day-001.txt" : `reproduces backtrader's result: SKIPPED, ${REFERENCE} is absent`, () => {
    const rows = readFileSync(REFERENCE, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const h = harness({ fast: 1, slow: 15, qty: 1 });
    const decidedOn = new Map<string, string>();
    for (const [date, open, high, low, close, volume] of rows) {
      h.advance({ ts: Date.parse(`${date}T00:00:00Z`), open: +open!, high: +high!, low: +low!, close: +close!, volume: +volume! });
      for (const o of h.openOrders()) h.fill(o.order_id, +open!);
      h.runBar();
      for (const i of h.ofKind('order', h.barIndex)) decidedOn.set(i.order.order_id, date!);
    }
    const first = h.fills[0]!;
    expect(decidedOn.get(first.order_id)).toBe('2006-01-26');
    expect(first).toMatchObject({ side: 'buy', qty: 1, price: 3643.35 });
    expect(new Date(first.ts).toISOString().slice(0, 10)).toBe('2006-01-27');
    expect(h.ofKind('order')[0]!.reason).toMatch(/^fast SMA\(1\) \d+\.\d\d crossed above slow SMA\(15\) \d+\.\d\d$/);
    expect(h.fills).toHaveLength(23);
    expect(h.cash.toFixed(2)).toBe('6164.16');
  });
});
