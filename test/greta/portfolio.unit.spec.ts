// Average-cost accounting of one account: averaging, realised P&L, flips, shorts, marking.
import { describe, expect, it } from 'vitest';
import { applyFill, equity, newAccount, positionQty, unrealized } from '../../actors/greta/portfolio.ts';

describe('applyFill', () => {
  it('averages the price on increases and moves cash by the notional and fee', () => {
    const a = newAccount(10_000);
    applyFill(a, 'buy', 'AAPL', 10, 100, 1);
    applyFill(a, 'buy', 'AAPL', 10, 110, 1);
    // (10×100 + 10×110) / 20 = 105
    expect(a.positions['AAPL']).toEqual({ qty: 20, avg_price: 105 });
    // 10,000 − 1000 − 1 − 1100 − 1
    expect(a.cash).toBe(7898);
    expect(a.fees).toBe(2);
    expect(a.realized_pnl).toBe(0);
  });

  it('realises P&L at average cost on reductions, fees excluded, and drops a flat symbol', () => {
    const a = newAccount(10_000);
    applyFill(a, 'buy', 'AAPL', 10, 100, 0);
    applyFill(a, 'buy', 'AAPL', 10, 110, 0);
    applyFill(a, 'sell', 'AAPL', 5, 120, 2);
    // 5 × (120 − 105) = 75; the average is unchanged by a reduction
    expect(a.realized_pnl).toBe(75);
    expect(a.positions['AAPL']).toEqual({ qty: 15, avg_price: 105 });
    applyFill(a, 'sell', 'AAPL', 15, 90, 2);
    // 75 + 15 × (90 − 105) = 75 − 225 = −150
    expect(a.realized_pnl).toBe(-150);
    expect(a.positions).toEqual({});
    expect(positionQty(a, 'AAPL')).toBe(0);
    expect(a.fees).toBe(4);
    // 10,000 − 1000 − 1100 + 600 − 2 + 1350 − 2
    expect(a.cash).toBe(9846);
  });

  it('flips: closes the position, then opens the rest at the fill price', () => {
    const a = newAccount(10_000);
    applyFill(a, 'buy', 'AAPL', 10, 100, 0);
    applyFill(a, 'sell', 'AAPL', 15, 110, 0);
    // 10 × (110 − 100) = 100 realised; −5 at 110 opened
    expect(a.realized_pnl).toBe(100);
    expect(a.positions['AAPL']).toEqual({ qty: -5, avg_price: 110 });
    // 10,000 − 1000 + 1650
    expect(a.cash).toBe(10_650);
  });

  it('keeps shorts: averages on added sells, realises on covering buys, flips to long', () => {
    const a = newAccount(1000);
    applyFill(a, 'sell', 'MSFT', 10, 50, 0);
    applyFill(a, 'sell', 'MSFT', 10, 60, 0);
    // (10×50 + 10×60) / 20 = 55
    expect(a.positions['MSFT']).toEqual({ qty: -20, avg_price: 55 });
    expect(a.cash).toBe(2100);
    applyFill(a, 'buy', 'MSFT', 4, 40, 0);
    // a short gains when the price falls: 4 × (40 − 55) × −1 = 60
    expect(a.realized_pnl).toBe(60);
    expect(a.positions['MSFT']).toEqual({ qty: -16, avg_price: 55 });
    applyFill(a, 'buy', 'MSFT', 20, 60, 0);
    // 60 + 16 × (60 − 55) × −1 = 60 − 80 = −20; then long 4 at 60
    expect(a.realized_pnl).toBe(-20);
    expect(a.positions['MSFT']).toEqual({ qty: 4, avg_price: 60 });
  });

  it('treats fractional rounding remainders as flat (0.1 + 0.2 − 0.3)', () => {
    const a = newAccount(1000);
    applyFill(a, 'buy', 'BTC/USD', 0.1, 100, 0);
    applyFill(a, 'buy', 'BTC/USD', 0.2, 100, 0);
    applyFill(a, 'sell', 'BTC/USD', 0.3, 100, 0);
    expect(a.positions).toEqual({});
    applyFill(a, 'buy', 'BTC/USD', 0.3, 100, 0);
    applyFill(a, 'sell', 'BTC/USD', 0.1 + 0.2, 100, 0);
    expect(a.positions).toEqual({});
  });
});

describe('equity and unrealized', () => {
  it('mark every position, long and short', () => {
    const a = newAccount(10_000);
    applyFill(a, 'buy', 'AAPL', 10, 100, 0);
    applyFill(a, 'sell', 'MSFT', 5, 200, 0);
    // cash 10,000 − 1000 + 1000 = 10,000
    const marks: Record<string, number> = { AAPL: 110, MSFT: 190 };
    const mark = (s: string) => marks[s]!;
    // 10,000 + 10 × 110 − 5 × 190 = 10,150
    expect(equity(a, mark)).toBe(10_150);
    // 10 × (110 − 100) + (−5) × (190 − 200) = 100 + 50
    expect(unrealized(a, mark)).toBe(150);
  });

  it('stay plain JSON data', () => {
    const a = newAccount(1000);
    applyFill(a, 'buy', 'AAPL', 1, 100, 0.5);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});
