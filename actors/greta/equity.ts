// The equity curve of a backtest, rebuilt from the bars and the fills after the run: one point per
// distinct bar timestamp, the equity at that bar's close (the fills of that bar applied, each symbol
// marked at its latest close so far), plus how many of those bars held a position (exposure). And its
// down-sampling for charts and reports. Pure.
import type { Bar } from '../../protocol/market.ts';
import { applyFill, newAccount } from './portfolio.ts';
import type { FillRecord } from './trades.ts';

export interface EquityCurve {
  /** Bar start, epoch ms UTC. */
  t: number[];
  e: number[];
  /** Points at which some position was open at the close. */
  exposure_bars: number;
  /** Points in the curve (distinct bar timestamps). */
  bars: number;
}

export interface SampledCurve {
  sampling: 'bar' | 'day';
  t: number[];
  e: number[];
}

const DAY_MS = 86_400_000;

/**
 * `bars` sorted by (ts, symbol); `fills` sorted by ts, each stamped with its bar's ts. A fill is
 * applied at the first bar timestamp ≥ its own (fills after the last bar are not in the curve).
 */
export function buildEquityCurve(input: { bars: Iterable<Bar>; fills: readonly FillRecord[]; cash: number }): EquityCurve {
  const account = newAccount(input.cash);
  const marks = new Map<string, number>();
  const t: number[] = [];
  const e: number[] = [];
  let exposureBars = 0;
  let nextFill = 0;
  let current: number | null = null;
  // Positions change only at fills, so their symbols are listed again only then (for…in on every
  // one of 525,600 bars cost about half of the curve's time).
  let held: string[] = [];

  const closePoint = (ts: number): void => {
    let equity = account.cash;
    for (const symbol of held) equity += account.positions[symbol]!.qty * marks.get(symbol)!;
    t.push(ts);
    e.push(equity);
    if (held.length > 0) exposureBars++;
  };

  for (const bar of input.bars) {
    if (bar.ts !== current) {
      if (current !== null) closePoint(current);
      current = bar.ts;
      const before = nextFill;
      while (nextFill < input.fills.length && input.fills[nextFill]!.ts <= current) {
        const f = input.fills[nextFill++]!;
        applyFill(account, f.side, f.symbol, f.qty, f.price, f.fee);
        // Until the symbol's first close, a position is worth what was paid for it.
        if (!marks.has(f.symbol)) marks.set(f.symbol, f.price);
      }
      if (nextFill !== before) held = Object.keys(account.positions);
    }
    marks.set(bar.symbol, bar.close);
  }
  if (current !== null) closePoint(current);
  return { t, e, exposure_bars: exposureBars, bars: t.length };
}

/** The last point of each UTC day, at its own timestamp. */
export function lastOfEachUtcDay(curve: { t: readonly number[]; e: readonly number[] }): { t: number[]; e: number[] } {
  const t: number[] = [];
  const e: number[] = [];
  for (let i = 0; i < curve.t.length; i++) {
    const ts = curve.t[i]!;
    const next = curve.t[i + 1];
    if (next === undefined || Math.floor(next / DAY_MS) !== Math.floor(ts / DAY_MS)) {
      t.push(ts);
      e.push(curve.e[i]!);
    }
  }
  return { t, e };
}

/** Per bar when the curve has at most `maxPoints` points, else the last point of each UTC day. */
export function sampleCurve(curve: { t: readonly number[]; e: readonly number[] }, maxPoints = 5000): SampledCurve {
  if (curve.t.length <= maxPoints) return { sampling: 'bar', t: [...curve.t], e: [...curve.e] };
  return { sampling: 'day', ...lastOfEachUtcDay(curve) };
}
