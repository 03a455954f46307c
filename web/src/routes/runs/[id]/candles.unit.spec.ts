// The price chart's computed layers: the bars from GET /candles?format=columns answers, the moving averages
// of the closes and the fills as markers.
import { describe, expect, it } from 'vitest';
import type { CandlestickData, Time } from 'lightweight-charts';
import { barsFromColumns, fillMarkers, sma } from './candles.ts';

const t0 = Date.parse('2025-12-29T00:00:00Z') / 1000;
function bars(closes: number[]): { candles: CandlestickData<Time>[]; closes: Float64Array } {
  const candles = closes.map((c, i) => ({ time: (t0 + i * 60) as Time, open: c, high: c, low: c, close: c }));
  return { candles, closes: Float64Array.from(closes) };
}

describe('barsFromColumns', () => {
  const page = (minutes: number[]) => ({
    t: minutes.map((m) => (t0 + m * 60) * 1000),
    o: minutes.map((m) => 10 + m),
    h: minutes.map((m) => 11 + m),
    l: minutes.map((m) => 9 + m),
    c: minutes.map((m) => 10.5 + m),
    next_from: null,
  });

  it('turns columns into chart bars (time in epoch seconds) and closes, pages in order', () => {
    const b = barsFromColumns([page([0, 1]), page([2])], false);
    expect(b.candles).toEqual([0, 1, 2].map((m) => ({ time: t0 + m * 60, open: 10 + m, high: 11 + m, low: 9 + m, close: 10.5 + m })));
    expect([...b.closes]).toEqual([10.5, 11.5, 12.5]);
    expect(b.truncated).toBe(false);
  });

  it('skips a bar not after the one before it and pages not in yet, and passes truncated on', () => {
    const b = barsFromColumns([page([0, 1]), undefined, page([1, 3])], true);
    expect(b.candles.map((c) => c.time)).toEqual([t0, t0 + 60, t0 + 180]);
    expect([...b.closes]).toEqual([10.5, 11.5, 13.5]);
    expect(b.truncated).toBe(true);
  });
});

describe('sma', () => {
  it('averages the last n closes from the n-th bar on', () => {
    const b = bars([1, 2, 3, 4, 5]);
    expect(sma(b.candles, b.closes, 3)).toEqual([
      { time: t0 + 120, value: 2 },
      { time: t0 + 180, value: 3 },
      { time: t0 + 240, value: 4 },
    ]);
  });
  it('is the close itself for n = 1 and empty when there are fewer bars than n', () => {
    const b = bars([7, 8]);
    expect(sma(b.candles, b.closes, 1).map((p) => p.value)).toEqual([7, 8]);
    expect(sma(b.candles, b.closes, 3)).toEqual([]);
  });
});

describe('fillMarkers', () => {
  const colors = { buy: 'green', sell: 'red' };
  const at = (minute: number) => new Date((t0 + minute * 60) * 1000).toISOString();

  it('puts buys below the bar as up arrows and sells above as down arrows, in time order', () => {
    const markers = fillMarkers(
      [
        { time: at(5), side: 'sell', qty: 1, symbol: 'A' },
        { time: at(1), side: 'buy', qty: 1, symbol: 'A' },
      ],
      'A',
      colors,
    );
    expect(markers).toEqual([
      { time: t0 + 60, position: 'belowBar', shape: 'arrowUp', color: 'green' },
      { time: t0 + 300, position: 'aboveBar', shape: 'arrowDown', color: 'red' },
    ]);
  });

  it('folds fills of one bar and side into one marker that counts them, and skips other symbols', () => {
    const markers = fillMarkers(
      [
        { time: at(2), side: 'buy', qty: 1, symbol: 'A' },
        { time: at(2), side: 'buy', qty: 2, symbol: 'A' },
        { time: at(2), side: 'sell', qty: 1, symbol: 'A' },
        { time: at(2), side: 'buy', qty: 1, symbol: 'B' },
      ],
      'A',
      colors,
    );
    expect(markers).toHaveLength(2);
    expect(markers.find((m) => m.shape === 'arrowUp')).toMatchObject({ text: 'buy ×2' });
    expect(markers.find((m) => m.shape === 'arrowDown')).not.toHaveProperty('text');
  });
});
