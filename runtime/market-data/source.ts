// Where the clock and the simulated venue read stored bars: the candles table (Postgres) or arrays in
// memory (the memory kernel, sweeps). Both answer the same questions in the same order, so a backtest
// gives identical results on either.
import type { Bar, BarWindow, Timeframe } from '../../protocol/index.ts';

export interface Coverage {
  readonly symbol: string;
  readonly bars: number;
  /** First and last bar start in the range (epoch ms), null without bars. */
  readonly first: number | null;
  readonly last: number | null;
}

export interface CandleSource {
  /** Distinct bar starts of any of `symbols`, after `afterMs` (null: from `fromMs`) up to `toMs`, ascending, at most `limit`. */
  timestamps(symbols: readonly string[], timeframe: Timeframe, fromMs: number, afterMs: number | null, toMs: number, limit: number): Promise<number[]>;
  /** Bars of `symbols` with fromMs ≤ start ≤ toMs, ordered by (start, symbol); `s` indexes `symbols`. */
  window(symbols: readonly string[], timeframe: Timeframe, fromMs: number, toMs: number): Promise<BarWindow>;
  /** The bars of `symbols` that start exactly at `ts` (symbols without one are left out). */
  barsAt(symbols: readonly string[], timeframe: Timeframe, ts: number): Promise<Bar[]>;
  /** Per symbol: bars in [fromMs, toMs] and the first and last of them. */
  coverage(symbols: readonly string[], timeframe: Timeframe, fromMs: number, toMs: number): Promise<Coverage[]>;
  /** Every timeframe stored for these symbols, with its bars (for error messages that say what exists). */
  stored(symbols: readonly string[]): Promise<(Coverage & { timeframe: Timeframe })[]>;
}
