// The equity curve rebuilt from bars and fills, and its down-sampling to days.
import { describe, expect, it } from 'vitest';
import { buildEquityCurve, lastOfEachUtcDay, sampleCurve } from '../../actors/greta/equity.ts';
import type { FillRecord } from '../../actors/greta/trades.ts';
import type { Bar } from '../../protocol/market.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const b = (ts: number, symbol: string, close: number): Bar => ({ symbol, ts, open: close, high: close, low: close, close, volume: 100 });

describe('buildEquityCurve', () => {
  it('gives the equity at each bar close, marking every symbol at its latest close', () => {
    const bars = [b(0, 'AAPL', 100), b(0, 'MSFT', 50), b(MIN, 'AAPL', 102), b(MIN, 'MSFT', 51), b(2 * MIN, 'AAPL', 105), b(3 * MIN, 'AAPL', 103), b(3 * MIN, 'MSFT', 52)];
    const fills: FillRecord[] = [
      { symbol: 'AAPL', side: 'buy', qty: 10, price: 100.5, fee: 1, ts: MIN },
      { symbol: 'MSFT', side: 'sell', qty: 4, price: 50.5, fee: 0, ts: MIN },
      { symbol: 'AAPL', side: 'sell', qty: 10, price: 103, fee: 1, ts: 3 * MIN },
    ];
    const curve = buildEquityCurve({ bars, fills, cash: 10_000 });
    expect(curve.t).toEqual([0, MIN, 2 * MIN, 3 * MIN]);
    // t0: no position: 10,000
    // t1: cash 10,000 − 1005 − 1 + 202 = 9196; + 10 × 102 − 4 × 51 = 10,012
    // t2: MSFT has no bar, still marked at 51: 9196 + 10 × 105 − 4 × 51 = 10,042
    // t3: cash 9196 + 1030 − 1 = 10,225; − 4 × 52 = 10,017
    expect(curve.e.map((x) => Math.round(x * 1e6) / 1e6)).toEqual([10_000, 10_012, 10_042, 10_017]);
    // A position is open at the close of t1, t2 and t3 (MSFT stays short).
    expect(curve.exposure_bars).toBe(3);
    expect(curve.bars).toBe(4);
  });

  it('is flat at the starting cash without fills, and empty without bars', () => {
    expect(buildEquityCurve({ bars: [b(0, 'X', 1), b(MIN, 'X', 2)], fills: [], cash: 500 })).toEqual({ t: [0, MIN], e: [500, 500], exposure_bars: 0, bars: 2 });
    expect(buildEquityCurve({ bars: [], fills: [], cash: 500 })).toEqual({ t: [], e: [], exposure_bars: 0, bars: 0 });
  });
});

describe('sampleCurve', () => {
  const hourly = { t: Array.from({ length: 72 }, (_, i) => i * HOUR), e: Array.from({ length: 72 }, (_, i) => 1000 + i) };

  it('keeps every bar when the curve fits', () => {
    expect(sampleCurve(hourly, 72)).toEqual({ sampling: 'bar', t: hourly.t, e: hourly.e });
  });

  it('keeps the last point of each UTC day when it does not', () => {
    expect(sampleCurve(hourly, 71)).toEqual({ sampling: 'day', t: [23 * HOUR, DAY + 23 * HOUR, 2 * DAY + 23 * HOUR], e: [1023, 1047, 1071] });
  });

  it('resamples days with gaps and single points', () => {
    expect(lastOfEachUtcDay({ t: [10, 20, 3 * DAY + 5], e: [1, 2, 3] })).toEqual({ t: [20, 3 * DAY + 5], e: [2, 3] });
  });
});
