// The statistics of TRADING.md on small hand-computed series (the arithmetic is in the comments), the
// 252/365 rule, daily resampling of intraday runs, and the n/a cases.
import { describe, expect, it } from 'vitest';
import { computeStats, type StatsInput } from '../../actors/greta/stats.ts';
import type { Trade } from '../../actors/greta/trades.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday 2024-01-01 00:00 UTC. */
const MON = Date.UTC(2024, 0, 1);

function input(fields: Partial<StatsInput> & Pick<StatsInput, 'curve'>): StatsInput {
  return { timeframe: '1d', trades: { closed: [], open: [] }, fees: 0, exposureBars: 0, bars: fields.curve.t.length, ...fields };
}

const trade = (pnl: number): Trade => ({ symbol: 'AAPL', side: 'long', entry_ts: 0, exit_ts: 1, entry_price: 1, exit_price: 1, qty: 1, pnl, fees: 0, bars: null });

/** Every number in the stats is finite: no NaN, no Infinity. */
function expectNoNonFinite(stats: object): void {
  for (const [key, value] of Object.entries(stats)) {
    if (typeof value === 'number') expect(Number.isFinite(value), key).toBe(true);
  }
}

describe('computeStats on daily US-equity bars (Mon–Fri)', () => {
  // E = 100, 110, 99, 99, 118.8 on Mon 1 … Fri 5 January 2024
  // r = 0.1, −0.1, 0, 0.2
  const curve = { t: [0, 1, 2, 3, 4].map((d) => MON + d * DAY), e: [100, 110, 99, 99, 118.8] };
  const stats = computeStats(input({ curve }));

  it('gives total return, start and end', () => {
    // 118.8 / 100 − 1 = 0.188
    expect(stats.total_return).toBeCloseTo(0.188, 12);
    expect(stats.start_equity).toBe(100);
    expect(stats.end_equity).toBe(118.8);
  });

  it('annualises Sharpe with 252 periods, sample deviation', () => {
    // mean = (0.1 − 0.1 + 0 + 0.2) / 4 = 0.05
    // deviations 0.05, −0.15, −0.05, 0.15; squares sum 0.0025 + 0.0225 + 0.0025 + 0.0225 = 0.05
    // std = √(0.05 / 3) = 0.1290994; Sharpe = 0.05 / 0.1290994 × √252 (15.8745079) = 6.1481705
    expect(stats.periods_per_year).toBe(252);
    expect(stats.returns_sampling).toBe('bar');
    expect(stats.sharpe).toBeCloseTo(6.1481705, 6);
  });

  it('annualises Sortino with the downside deviation over all periods', () => {
    // min(r, 0) = 0, −0.1, 0, 0; √(0.01 / 4) = 0.05; Sortino = 0.05 / 0.05 × √252 = 15.8745079
    expect(stats.sortino).toBeCloseTo(15.8745079, 6);
  });

  it('measures the drawdown as a fraction and its duration to recovery', () => {
    // peak 110 (Tue), trough 99: 1 − 99/110 = 0.1; recovered Fri (118.8 ≥ 110): Tue → Fri = 3 days
    expect(stats.max_drawdown).toBeCloseTo(0.1, 12);
    expect(stats.max_drawdown_duration_ms).toBe(3 * DAY);
  });

  it('computes CAGR over the span of the timestamps', () => {
    // 4 days: 1.188^(365.25/4) − 1, a huge but finite number
    expect(stats.cagr).toBeCloseTo(1.188 ** (365.25 / 4) - 1, 0);
  });
});

describe('computeStats, the remaining definitions', () => {
  it('computes CAGR over two years', () => {
    // 100 → 121 in 2 × 365.25 days: 1.21^(1/2) − 1 = 0.1
    const s = computeStats(input({ curve: { t: [0, 2 * 365.25 * DAY], e: [100, 121] } }));
    expect(s.cagr).toBeCloseTo(0.1, 12);
    expect(s.total_return).toBeCloseTo(0.21, 12);
  });

  it('uses 365 periods per year when the series has weekend bars (24/7)', () => {
    // The same returns from Fri 5 to Tue 9 January: Sat and Sun are in it.
    // Sharpe = 0.3872983 × √365 (19.1049732) = 7.3993243; Sortino = 1 × √365
    const curve = { t: [4, 5, 6, 7, 8].map((d) => MON + d * DAY), e: [100, 110, 99, 99, 118.8] };
    const s = computeStats(input({ curve }));
    expect(s.periods_per_year).toBe(365);
    expect(s.sharpe).toBeCloseTo(7.3993243, 6);
    expect(s.sortino).toBeCloseTo(19.1049732, 6);
  });

  it('reports an unrecovered drawdown to the end, and the longest of several', () => {
    // peak 120 at day 1, 90 at day 2: 1 − 90/120 = 0.25, not recovered: day 1 → day 3 = 2 days
    const open = computeStats(input({ curve: { t: [0, 1, 2, 3].map((d) => d * DAY), e: [100, 120, 90, 100] } }));
    expect(open.max_drawdown).toBeCloseTo(0.25, 12);
    expect(open.max_drawdown_duration_ms).toBe(2 * DAY);
    // First: 100 → 90 → 100, depth 0.1, day 0 → day 2 (2 days). Second: 105 → 102 → 106, depth
    // 1 − 102/105 = 0.0286, day 3 → day 7 (4 days). Deepest 0.1, longest 4 days.
    const two = computeStats(input({ curve: { t: [0, 1, 2, 3, 4, 5, 6, 7].map((d) => d * DAY), e: [100, 90, 100, 105, 104, 103, 102, 106] } }));
    expect(two.max_drawdown).toBeCloseTo(0.1, 12);
    expect(two.max_drawdown_duration_ms).toBe(4 * DAY);
  });

  it('resamples intraday equity to the last point of each UTC day', () => {
    // 1h bars, Mon–Thu: Mon 100, 105, 102 | Tue 110, 100 | Wed 103 | Thu 95, 99 → daily 102, 100, 103, 99
    const at = (day: number, hour: number) => MON + day * DAY + hour * HOUR;
    const curve = {
      t: [at(0, 14), at(0, 15), at(0, 16), at(1, 14), at(1, 15), at(2, 14), at(3, 14), at(3, 15)],
      e: [100, 105, 102, 110, 100, 103, 95, 99],
    };
    const s = computeStats(input({ curve, timeframe: '1h' }));
    expect(s.returns_sampling).toBe('day');
    expect(s.periods_per_year).toBe(252);
    // r = 100/102 − 1 = −0.0196078, 103/100 − 1 = 0.03, 99/103 − 1 = −0.0388350
    // mean = −0.0094809; squared deviations 0.00010255 + 0.00155874 + 0.00086166 = 0.00252295
    // std = √(0.00252295 / 2) = 0.0355173; Sharpe = −0.0094809 / 0.0355173 × 15.8745079 = −4.2375162
    expect(s.sharpe).toBeCloseTo(-4.2375162, 5);
    // downside √((0.0196078² + 0.0388350²) / 3) = √(0.00063087) = 0.0251172; Sortino = −0.0094809 / 0.0251172 × 15.8745079 = −5.9921142
    expect(s.sortino).toBeCloseTo(-5.9921142, 5);
    // The drawdown stays per bar: peak 110 (Tue 14:00), trough 95: 1 − 95/110 = 0.1363636, not recovered: to Thu 15:00
    expect(s.max_drawdown).toBeCloseTo(0.1363636, 6);
    expect(s.max_drawdown_duration_ms).toBe(at(3, 15) - at(1, 14));
  });

  it('derives the trade statistics from the closed trades', () => {
    // pnl 98, −50, 20, 0: wins 2 of 4 = 0.5; profit factor (98 + 20) / 50 = 2.36; average 68 / 4 = 17
    const s = computeStats(
      input({ curve: { t: [0, DAY], e: [100, 101] }, trades: { closed: [98, -50, 20, 0].map(trade), open: [trade(5)] }, fees: 12.5, exposureBars: 3, bars: 4 }),
    );
    expect(s.trades).toBe(4);
    expect(s.open_trades).toBe(1);
    expect(s.win_rate).toBe(0.5);
    expect(s.profit_factor).toBeCloseTo(2.36, 12);
    expect(s.avg_trade).toBe(17);
    // 3 of 4 bars with a position
    expect(s.exposure).toBe(0.75);
    expect(s.fees).toBe(12.5);
  });

  it("gives profit factor 'inf' with wins and no losses, 0 with losses only, n/a with neither", () => {
    const pf = (pnls: number[]) => computeStats(input({ curve: { t: [0], e: [1] }, trades: { closed: pnls.map(trade), open: [] } })).profit_factor;
    expect(pf([5, 1])).toBe('inf');
    expect(pf([-5])).toBe(0);
    expect(pf([0])).toBeNull();
    expect(pf([])).toBeNull();
  });
});

describe('computeStats with too few samples: n/a, never NaN', () => {
  it('an empty curve', () => {
    const s = computeStats(input({ curve: { t: [], e: [] } }));
    expect(s).toMatchObject({
      start_equity: null,
      end_equity: null,
      total_return: null,
      cagr: null,
      sharpe: null,
      sortino: null,
      max_drawdown: null,
      max_drawdown_duration_ms: null,
      win_rate: null,
      profit_factor: null,
      avg_trade: null,
      exposure: null,
      trades: 0,
    });
    expectNoNonFinite(s);
  });

  it('one point: no return, no CAGR, no ratios; no drawdown', () => {
    const s = computeStats(input({ curve: { t: [MON], e: [100] } }));
    expect([s.total_return, s.cagr, s.sharpe, s.sortino]).toEqual([null, null, null, null]);
    expect(s.max_drawdown).toBe(0);
  });

  it('two points: one return is too few for a deviation; under a day is too short for CAGR', () => {
    const s = computeStats(input({ curve: { t: [MON, MON + 60_000], e: [100, 101] }, timeframe: '1m' }));
    expect(s.total_return).toBeCloseTo(0.01, 12);
    expect([s.cagr, s.sharpe, s.sortino]).toEqual([null, null, null]);
  });

  it('a flat curve: zero deviation gives no Sharpe or Sortino', () => {
    const s = computeStats(input({ curve: { t: [0, 1, 2, 3].map((d) => MON + d * DAY), e: [100, 100, 100, 100] } }));
    expect([s.sharpe, s.sortino, s.max_drawdown, s.max_drawdown_duration_ms, s.total_return]).toEqual([null, null, 0, 0, 0]);
    expectNoNonFinite(s);
  });

  it('only gains: Sharpe, but no downside for Sortino', () => {
    const s = computeStats(input({ curve: { t: [0, 1, 2, 3].map((d) => MON + d * DAY), e: [100, 101, 103, 104] } }));
    expect(s.sharpe).not.toBeNull();
    expect(s.sortino).toBeNull();
  });

  it('a wiped-out account: CAGR −1 and no ratios through a zero equity', () => {
    const s = computeStats(input({ curve: { t: [0, 1, 2, 3].map((d) => MON + d * DAY), e: [100, 50, 0, 0] } }));
    expect(s.cagr).toBe(-1);
    expect(s.total_return).toBe(-1);
    expect(s.max_drawdown).toBe(1);
    expect([s.sharpe, s.sortino]).toEqual([null, null]);
    expectNoNonFinite(s);
  });
});
