// The end of an instance's backtest: value the account, rebuild the equity curve from every bar of the
// range and the fills, split the fills into round trips, compute the statistics (DESIGN §7).
import { windowLength, type Bar, type BarWindow, type Timeframe } from '../../protocol/index.ts';
import { buildEquityCurve, sampleCurve } from './equity.ts';
import { equity } from './portfolio.ts';
import type { VenueAccount } from './state.ts';
import { computeStats, type Stats } from './stats.ts';
import { buildTrades, type FillRecord, type Trade } from './trades.ts';

/** Points kept of the equity curve in the event and the table (charts); the statistics use every bar. */
export const MAX_CURVE_POINTS = 2000;

export interface InstanceResult {
  final_equity: number;
  cash: number;
  positions: { symbol: string; qty: number; avg_price: number; last_price: number }[];
  stats: Stats;
  equity: { sampling: string; t: number[]; e: number[] };
  trades: Trade[];
  fills: number;
}

/** The window's bars, one object reused for all (the curve reads each bar once and keeps nothing of it). */
function* bars(w: BarWindow): Iterable<Bar> {
  const bar = { symbol: '', ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0, n = windowLength(w); i < n; i++) {
    bar.symbol = w.symbols[w.s[i]!]!;
    bar.ts = w.t[i]!;
    bar.open = w.o[i]!;
    bar.high = w.h[i]!;
    bar.low = w.l[i]!;
    bar.close = w.c[i]!;
    bar.volume = w.v[i]!;
    yield bar;
  }
}

export function fillRecords(a: VenueAccount): FillRecord[] {
  const out: FillRecord[] = [];
  for (const line of a.fills.split('\n')) {
    if (line === '') continue;
    const [sym, side, q, p, f, t, k] = line.split(',').map(Number) as [number, number, number, number, number, number, number];
    out.push({ symbol: a.symbols[sym]!, side: side > 0 ? 'buy' : 'sell', qty: q, price: p, fee: f, ts: t, bar_index: k });
  }
  return out;
}

export function computeResult(a: VenueAccount, allBars: BarWindow, timeframe: Timeframe): InstanceResult {
  const fills = fillRecords(a);
  const curve = buildEquityCurve({ bars: bars(allBars), fills, cash: a.cash0 });
  const trades = buildTrades(fills);
  const stats = computeStats({ curve, timeframe, trades, fees: a.account.fees, exposureBars: curve.exposure_bars, bars: curve.bars });
  const last = new Map<string, number>();
  for (let i = 0; i < allBars.t.length; i++) last.set(allBars.symbols[allBars.s[i]!]!, allBars.c[i]!);
  const mark = (s: string) => last.get(s) ?? a.account.positions[s]?.avg_price ?? 0;
  const positions = Object.entries(a.account.positions)
    .filter(([, p]) => p.qty !== 0)
    .map(([symbol, p]) => ({ symbol, qty: p.qty, avg_price: p.avg_price, last_price: mark(symbol) }));
  return {
    final_equity: equity(a.account, mark),
    cash: a.account.cash,
    positions,
    stats,
    equity: thin(sampleCurve(curve, MAX_CURVE_POINTS)),
    trades: [...trades.closed, ...trades.open],
    fills: fills.length,
  };
}

/** Daily sampling can still exceed the cap (years of daily bars): keep every n-th point and the last. */
function thin(c: { sampling: string; t: number[]; e: number[] }): { sampling: string; t: number[]; e: number[] } {
  if (c.t.length <= MAX_CURVE_POINTS) return c;
  const step = Math.ceil(c.t.length / MAX_CURVE_POINTS);
  const t: number[] = [];
  const e: number[] = [];
  for (let i = 0; i < c.t.length; i += step) {
    t.push(c.t[i]!);
    e.push(c.e[i]!);
  }
  if (t[t.length - 1] !== c.t[c.t.length - 1]) {
    t.push(c.t[c.t.length - 1]!);
    e.push(c.e[c.e.length - 1]!);
  }
  return { sampling: `${c.sampling}/${step}`, t, e };
}
