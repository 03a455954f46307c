// A backtest's statistics, exactly as TRADING.md "Statistics, defined once" defines them. Pure.
// Choices it leaves open, made here:
// - Returns r_i = E_i/E_{i−1} − 1 per bar for daily bars; intraday runs use the equity resampled to
//   the last point of each UTC day (`returns_sampling: 'day'`), so a 1m and a 1d run of the same
//   strategy annualise alike.
// - Periods per year: 365 when the sampled series has a Saturday or Sunday (UTC) in it (24/7 markets),
//   else 252 (US equities).
// - rf = 0. Sharpe uses the sample standard deviation (n − 1).
// - Anything that cannot be computed (too few samples, a zero deviation, a zero start) is null, shown
//   as "n/a"; no statistic is ever NaN or Infinity. Profit factor with wins and no losses is 'inf'.
//   Sortino with no downside is null (its deviation is 0). CAGR after a total loss is −1.
import type { Timeframe } from '../../protocol/timeframes.ts';
import { lastOfEachUtcDay } from './equity.ts';
import type { Trade } from './trades.ts';

export interface Stats {
  start_equity: number | null;
  end_equity: number | null;
  total_return: number | null;
  cagr: number | null;
  sharpe: number | null;
  sortino: number | null;
  /** What Sharpe and Sortino were computed on: per-bar returns (daily bars) or daily-resampled ones. */
  returns_sampling: 'bar' | 'day';
  periods_per_year: 252 | 365;
  /** A fraction: 0.25 is a 25 % fall from the peak. */
  max_drawdown: number | null;
  /** The longest time from a peak to regaining it (or to the end). */
  max_drawdown_duration_ms: number | null;
  win_rate: number | null;
  profit_factor: number | 'inf' | null;
  /** Closed trades. */
  trades: number;
  open_trades: number;
  avg_trade: number | null;
  /** Share of bars with a position. */
  exposure: number | null;
  fees: number;
}

export interface StatsInput {
  /** The equity curve per bar. */
  curve: { t: readonly number[]; e: readonly number[] };
  timeframe: Timeframe;
  trades: { closed: readonly Trade[]; open: readonly Trade[] };
  fees: number;
  exposureBars: number;
  bars: number;
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;

export function computeStats(input: StatsInput): Stats {
  const { t, e } = input.curve;
  const n = e.length;
  const start = n > 0 ? e[0]! : null;
  const end = n > 0 ? e[n - 1]! : null;
  const sampled = input.timeframe === '1d' ? input.curve : lastOfEachUtcDay(input.curve);
  const periodsPerYear = hasWeekend(sampled.t) ? 365 : 252;
  const returns = periodReturns(sampled.e);
  const closed = input.trades.closed;
  const drawdown = maxDrawdown(t, e);
  return {
    start_equity: finite(start),
    end_equity: finite(end),
    total_return: start !== null && end !== null && n >= 2 && start > 0 ? finite(end / start - 1) : null,
    cagr: cagr(t, e),
    sharpe: returns === null ? null : sharpe(returns, periodsPerYear),
    sortino: returns === null ? null : sortino(returns, periodsPerYear),
    returns_sampling: input.timeframe === '1d' ? 'bar' : 'day',
    periods_per_year: periodsPerYear,
    max_drawdown: drawdown === null ? null : drawdown.depth,
    max_drawdown_duration_ms: drawdown === null ? null : drawdown.durationMs,
    win_rate: closed.length === 0 ? null : closed.filter((x) => x.pnl > 0).length / closed.length,
    profit_factor: profitFactor(closed),
    trades: closed.length,
    open_trades: input.trades.open.length,
    avg_trade: closed.length === 0 ? null : finite(closed.reduce((s, x) => s + x.pnl, 0) / closed.length),
    exposure: input.bars > 0 ? input.exposureBars / input.bars : null,
    fees: input.fees,
  };
}

function finite(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

/** Is any timestamp on a Saturday or Sunday, UTC? (1970-01-01 was a Thursday.) */
function hasWeekend(t: readonly number[]): boolean {
  for (const ts of t) {
    const weekday = (((Math.floor(ts / DAY_MS) + 4) % 7) + 7) % 7; // 0 = Sunday
    if (weekday === 0 || weekday === 6) return true;
  }
  return false;
}

/** r_i = E_i/E_{i−1} − 1; null with fewer than 2 returns or a non-positive equity to divide by. */
function periodReturns(e: readonly number[]): number[] | null {
  if (e.length < 3) return null;
  const r: number[] = [];
  for (let i = 1; i < e.length; i++) {
    if (!(e[i - 1]! > 0)) return null;
    r.push(e[i]! / e[i - 1]! - 1);
  }
  return r;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function sharpe(r: readonly number[], periodsPerYear: number): number | null {
  const m = mean(r);
  let ss = 0;
  for (const x of r) ss += (x - m) ** 2;
  const std = Math.sqrt(ss / (r.length - 1));
  return std > 0 ? finite((m / std) * Math.sqrt(periodsPerYear)) : null;
}

function sortino(r: readonly number[], periodsPerYear: number): number | null {
  let ss = 0;
  for (const x of r) ss += Math.min(x, 0) ** 2;
  const downside = Math.sqrt(ss / r.length);
  return downside > 0 ? finite((mean(r) / downside) * Math.sqrt(periodsPerYear)) : null;
}

function cagr(t: readonly number[], e: readonly number[]): number | null {
  if (e.length < 2) return null;
  const span = t[t.length - 1]! - t[0]!;
  if (span < DAY_MS || !(e[0]! > 0)) return null;
  const ratio = e[e.length - 1]! / e[0]!;
  if (ratio <= 0) return -1;
  return finite(ratio ** (YEAR_MS / span) - 1);
}

/**
 * Depth: max over t of 1 − E_t / max_{s≤t} E_s. Duration: for each fall below a peak, the time from
 * the peak (its latest point at that level) to the first point back at or above it, or to the last
 * point if it never gets back; the longest of them. Null without points or with a non-positive peak.
 */
function maxDrawdown(t: readonly number[], e: readonly number[]): { depth: number; durationMs: number } | null {
  if (e.length === 0) return null;
  let peak = e[0]!;
  let peakT = t[0]!;
  let underwater = false;
  let depth = 0;
  let durationMs = 0;
  for (let i = 0; i < e.length; i++) {
    const x = e[i]!;
    if (x >= peak) {
      if (underwater) durationMs = Math.max(durationMs, t[i]! - peakT);
      underwater = false;
      peak = x;
      peakT = t[i]!;
      continue;
    }
    if (!(peak > 0)) return null;
    underwater = true;
    depth = Math.max(depth, 1 - x / peak);
  }
  if (underwater) durationMs = Math.max(durationMs, t[t.length - 1]! - peakT);
  return { depth, durationMs };
}

function profitFactor(closed: readonly Trade[]): number | 'inf' | null {
  let gain = 0;
  let loss = 0;
  for (const x of closed) {
    if (x.pnl > 0) gain += x.pnl;
    else loss -= x.pnl;
  }
  if (loss > 0) return finite(gain / loss);
  return gain > 0 ? 'inf' : null;
}
