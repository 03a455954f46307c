// Round trips from fills: long, short, scaling in and out, flips with their fee split.
import { describe, expect, it } from 'vitest';
import { buildTrades, type FillRecord } from '../../actors/greta/trades.ts';

const f = (side: 'buy' | 'sell', qty: number, price: number, fee: number, ts: number, rest: Partial<FillRecord> = {}): FillRecord => ({
  symbol: 'AAPL',
  side,
  qty,
  price,
  fee,
  ts,
  ...rest,
});

describe('buildTrades', () => {
  it('makes one long round trip, P&L net of both fees, with its length in bars', () => {
    const { closed, open } = buildTrades([f('buy', 10, 100, 1, 1000, { bar_index: 1 }), f('sell', 10, 110, 1, 5000, { bar_index: 5 })]);
    expect(open).toEqual([]);
    // 10 × (110 − 100) − 1 − 1 = 98
    expect(closed).toEqual([
      { symbol: 'AAPL', side: 'long', entry_ts: 1000, exit_ts: 5000, entry_price: 100, exit_price: 110, qty: 10, pnl: 98, fees: 2, bars: 4 },
    ]);
  });

  it('averages entries and exits when scaling in and out; qty is the largest position', () => {
    const { closed } = buildTrades([f('buy', 10, 100, 0, 1), f('buy', 10, 110, 0, 2), f('sell', 5, 120, 0, 3), f('sell', 15, 90, 0, 4)]);
    expect(closed).toHaveLength(1);
    const t = closed[0]!;
    // entries (1000 + 1100) / 20 = 105; exits (600 + 1350) / 20 = 97.5
    expect(t.entry_price).toBe(105);
    expect(t.exit_price).toBe(97.5);
    expect(t.qty).toBe(20);
    // 1950 − 2100 = −150
    expect(t.pnl).toBe(-150);
    expect(t.bars).toBeNull();
  });

  it('makes short round trips', () => {
    const { closed } = buildTrades([f('sell', 10, 50, 0.5, 1), f('buy', 10, 40, 0.5, 2)]);
    // 10 × (50 − 40) − 1 = 99
    expect(closed[0]).toMatchObject({ side: 'short', entry_price: 50, exit_price: 40, pnl: 99, fees: 1 });
  });

  it('splits a flip into a closed trade and an open one, the fee pro rata by quantity', () => {
    const { closed, open } = buildTrades([f('buy', 10, 100, 1, 1), f('sell', 15, 110, 3, 2)]);
    // 10 of the 15 close: fee 3 × 10/15 = 2 to the first trade, 1 to the second.
    // first: 10 × (110 − 100) − 1 − 2 = 97
    expect(closed).toEqual([{ symbol: 'AAPL', side: 'long', entry_ts: 1, exit_ts: 2, entry_price: 100, exit_price: 110, qty: 10, pnl: 97, fees: 3, bars: null }]);
    expect(open).toEqual([{ symbol: 'AAPL', side: 'short', entry_ts: 2, exit_ts: null, entry_price: 110, exit_price: null, qty: 5, pnl: -1, fees: 1, bars: null }]);
  });

  it('keeps symbols apart', () => {
    const { closed, open } = buildTrades([
      f('buy', 1, 100, 0, 1),
      f('sell', 2, 300, 0, 1, { symbol: 'MSFT' }),
      f('sell', 1, 105, 0, 2),
      f('buy', 1, 310, 0, 3, { symbol: 'MSFT' }),
    ]);
    expect(closed.map((t) => [t.symbol, t.side, t.pnl])).toEqual([['AAPL', 'long', 5]]);
    // MSFT: short 2, covered 1 at 310: realised 1 × (300 − 310) = −10 so far
    expect(open.map((t) => [t.symbol, t.side, t.qty, t.pnl, t.exit_price])).toEqual([['MSFT', 'short', 2, -10, 310]]);
  });

  it('opens a new trade after a close', () => {
    const { closed } = buildTrades([f('buy', 1, 10, 0, 1), f('sell', 1, 12, 0, 2), f('buy', 2, 11, 0, 3), f('sell', 2, 10, 0, 4)]);
    expect(closed.map((t) => [t.entry_ts, t.exit_ts, t.pnl])).toEqual([
      [1, 2, 2],
      [3, 4, -2],
    ]);
  });

  it('closes fractional positions despite rounding', () => {
    const { closed, open } = buildTrades([f('buy', 0.1, 100, 0, 1), f('buy', 0.2, 100, 0, 2), f('sell', 0.3, 101, 0, 3)]);
    expect(open).toEqual([]);
    expect(closed).toHaveLength(1);
    expect(closed[0]!.pnl).toBeCloseTo(0.3, 12);
  });
});
