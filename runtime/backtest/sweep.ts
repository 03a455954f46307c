// Parameter sweeps (TRADING.md complaint 4: slow single-threaded backtests, no parallel sweeps): every
// combination of a grid is one whole backtest on the memory kernel, the same actors and handlers as any
// run, spread over a piscina pool with one thread per core.
// - Every combination is checked (resolveParams through buildRunSpec) before any thread starts: a bad
//   value fails the whole sweep with the parameter's name. A combination only the strategy's own
//   validate() refuses (sma_cross fast=50 slow=20 out of fast=5..50 × slow=10..60) is skipped and
//   reported, since a grid over two axes nearly always holds some; a grid with no valid one is refused.
// - The caller loads the bars once; they are copied once into SharedArrayBuffers that every thread
//   reads without copying (sweep-worker.ts). A task is one RunSpec; what comes back is a summary.
// - Ranking by one statistic, best first (max_drawdown: smallest first); n/a (null) after every figure,
//   runs that did not complete after all that did, ties in grid order: the same ranking for any thread
//   count.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { WeaverError, type ErrorModel, type ParamValue, type RunSpec } from '../../protocol/index.ts';
import { MAX_GRID_COMBINATIONS, type RawParams } from '../../actors/marvin/params.ts';
import type { CandleColumns } from '../data/columns.ts';
import { createMemoryCandleSource } from '../market-data/memory.ts';
import { buildRunSpec, fitToData, type BacktestRequest } from './spec.ts';
import { COLUMNS, seriesViews, type SharedSeries, type SweepOutcome, type SweepTask, type SweepWorkerData } from './sweep-worker.ts';

/** What every combination shares: one strategy instance; `params` are the defaults the grid overrides. */
export type SweepBase = Omit<BacktestRequest, 'more'>;

/** The statistics a sweep ranks by and which way is better. */
export const RANK_STATS = {
  sharpe: 'desc',
  sortino: 'desc',
  total_return: 'desc',
  cagr: 'desc',
  final_equity: 'desc',
  max_drawdown: 'asc',
  win_rate: 'desc',
  profit_factor: 'desc',
  avg_trade: 'desc',
  trades: 'desc',
} as const;
export type RankStat = keyof typeof RANK_STATS;
export const RANK_STAT_NAMES = Object.keys(RANK_STATS) as RankStat[];

export interface SweepRow {
  /** 1 = best by the ranking statistic. */
  rank: number;
  /** Position of the combination in the grid, from 0. */
  combination: number;
  /** Every parameter the strategy ran with (grid values, base params, defaults), typed. */
  params: Record<string, ParamValue>;
  status: string;
  error: ErrorModel | null;
  final_equity: number;
  total_return: number | null;
  cagr: number | null;
  sharpe: number | null;
  sortino: number | null;
  max_drawdown: number | null;
  win_rate: number | null;
  profit_factor: number | 'inf' | null;
  avg_trade: number | null;
  /** Closed round trips. */
  trades: number;
  fills: number;
  orders: number;
}

export interface SkippedCombination {
  readonly combination: number;
  readonly params: RawParams;
  readonly reason: string;
}

export interface SweepProgress {
  readonly done: number;
  readonly total: number;
  readonly row: SweepRow;
}

export interface SweepOptions {
  readonly base: SweepBase;
  /** Raw parameter sets (parseParamGrid's output); each overrides base.params. */
  readonly grid: readonly RawParams[];
  /** Bars per symbol in base.timeframe, ascending by start; at least base's symbols. */
  readonly bars: Readonly<Record<string, CandleColumns>>;
  /** Worker threads; default os.availableParallelism(), never more than there are combinations. */
  readonly threads?: number;
  readonly rank?: RankStat;
  /** After each finished combination, in finishing order (rank is 0 until the sweep ranks them). */
  readonly onProgress?: (progress: SweepProgress) => void;
  readonly signal?: AbortSignal;
}

export interface SweepSummary {
  readonly strategy: string;
  readonly symbols: string[];
  readonly timeframe: string;
  readonly from: string;
  readonly to: string;
  /** Combinations run (skipped ones not counted). */
  readonly combinations: number;
  readonly skipped: SkippedCombination[];
  /** Bars one backtest replays (all its symbols), and all combinations together. */
  readonly bars_per_run: number;
  readonly bars: number;
  /** Wall time from starting the threads to the last result. */
  readonly seconds: number;
  readonly bars_per_second: number;
  readonly threads: number;
  readonly rank: RankStat;
  readonly results: SweepRow[];
}

export interface PlannedRun {
  readonly combination: number;
  readonly spec: RunSpec;
}

export interface SweepPlan {
  readonly runs: PlannedRun[];
  readonly skipped: SkippedCombination[];
}

/**
 * Check the base and every combination and build their runs (from/to as asked). Throws the first
 * invalid value (WeaverError 'invalid_params' naming the parameter, or the base's own error); skips the
 * combinations the strategy's validate() refuses, and refuses the grid if that leaves none.
 */
export function planSweep(base: SweepBase, grid: readonly RawParams[]): SweepPlan {
  if ((base as BacktestRequest).more?.length) throw new WeaverError('invalid_argument', 'a sweep runs one strategy instance per combination; give one strategy, without `more`');
  if (grid.length === 0) throw new WeaverError('invalid_params', 'the parameter grid is empty: give at least one parameter set (e.g. --param fast=5,10)', { param: null, value: [], expected: 'at least one combination' });
  if (grid.length > MAX_GRID_COMBINATIONS) {
    throw new WeaverError('invalid_params', `the parameter grid has ${grid.length.toLocaleString('en-US')} combinations, more than ${MAX_GRID_COMBINATIONS.toLocaleString('en-US')}; use a coarser step or fewer values`, { param: null, value: grid.length, expected: `at most ${MAX_GRID_COMBINATIONS} combinations` });
  }
  const runs: PlannedRun[] = [];
  const skipped: SkippedCombination[] = [];
  grid.forEach((combo, combination) => {
    const params = { ...base.params, ...combo };
    try {
      runs.push({ combination, spec: buildRunSpec({ ...base, params }) });
    } catch (error) {
      // details.param is null only when every value passed on its own and validate() refused the set.
      const refusedAsASet = error instanceof WeaverError && error.code === 'invalid_params' && (error.details as { param?: unknown } | undefined)?.param === null;
      if (!refusedAsASet) throw error;
      skipped.push({ combination, params, reason: error.message });
    }
  });
  if (runs.length === 0) {
    const first = skipped[0]!;
    throw new WeaverError('invalid_params', `no combination of the grid is valid (${skipped.length} refused); e.g. ${describeParams(first.params)}: ${first.reason}`, { param: null, value: first.params, expected: first.reason });
  }
  return { runs, skipped };
}

/** Run every valid combination of the grid over the bars and rank them. */
export async function runSweep(opts: SweepOptions): Promise<SweepSummary> {
  const rank = opts.rank ?? 'sharpe';
  if (!Object.hasOwn(RANK_STATS, rank)) throw new WeaverError('invalid_argument', `--rank ${rank}: expected one of ${RANK_STAT_NAMES.join(', ')}`, { value: rank });
  const requested = opts.threads ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) throw new WeaverError('invalid_argument', `--threads ${opts.threads}: expected a whole number of threads ≥ 1`, { value: opts.threads });
  const plan = planSweep(opts.base, opts.grid);

  const first = plan.runs[0]!.spec;
  const symbols = [...new Set(first.instances[0]!.symbols)];
  const source = createMemoryCandleSource();
  for (const symbol of symbols) {
    const columns = opts.bars[symbol];
    if (columns) source.add(symbol, first.timeframe, checkColumns(symbol, columns));
  }
  const fitted = await fitToData(first, source);
  const cover = await source.coverage(symbols, first.timeframe, Date.parse(fitted.from!), Date.parse(fitted.to!));
  const barsPerRun = cover.reduce((n, c) => n + c.bars, 0);
  const runs = plan.runs.map((r) => ({ ...r, spec: { ...r.spec, from: fitted.from, to: fitted.to } }));

  const threads = Math.min(requested, runs.length);
  const workerData: SweepWorkerData = { timeframe: first.timeframe, series: symbols.map((s) => share(s, opts.bars[s]!)) };
  const started = performance.now();
  const pool = new Piscina<SweepTask, SweepOutcome>({
    filename: new URL('./sweep-worker.ts', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    workerData,
  });
  let done = 0;
  let rows: SweepRow[];
  try {
    rows = await Promise.all(
      runs.map(async ({ combination, spec }) => {
        const outcome = await pool.run({ spec }, { signal: opts.signal ?? null });
        if (!outcome.ok) {
          throw new WeaverError('sweep_failed', `combination ${combination + 1} (${describeParams(spec.instances[0]!.params)}) failed in the memory kernel: ${outcome.error.message}`, { combination, params: spec.instances[0]!.params, error: outcome.error });
        }
        const row = toRow(combination, spec, outcome);
        opts.onProgress?.({ done: ++done, total: runs.length, row });
        return row;
      }),
    );
  } finally {
    await pool.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const bars = barsPerRun * runs.length;
  return {
    strategy: first.instances[0]!.strategy,
    symbols,
    timeframe: first.timeframe,
    from: fitted.from!,
    to: fitted.to!,
    combinations: runs.length,
    skipped: plan.skipped,
    bars_per_run: barsPerRun,
    bars,
    seconds,
    bars_per_second: seconds > 0 ? bars / seconds : 0,
    threads,
    rank,
    results: rankRows(rows, rank),
  };
}

/** Best first by `stat`; completed runs before the others, null last, ties in grid order. Sets `rank`. */
export function rankRows(rows: readonly SweepRow[], stat: RankStat): SweepRow[] {
  const sign = RANK_STATS[stat] === 'asc' ? 1 : -1;
  const value = (r: SweepRow): number | null => {
    const x = r[stat];
    return x === 'inf' ? Infinity : typeof x === 'number' && !Number.isNaN(x) ? x : null;
  };
  const sorted = [...rows].sort((a, b) => {
    const ca = a.status === 'completed' ? 0 : 1;
    const cb = b.status === 'completed' ? 0 : 1;
    if (ca !== cb) return ca - cb;
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) return (va < vb ? -1 : 1) * sign;
    return a.combination - b.combination;
  });
  return sorted.map((r, i) => ({ ...r, rank: i + 1 }));
}

/** `fast=5, slow=20` */
export function describeParams(params: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ') || 'the defaults';
}

function toRow(combination: number, spec: RunSpec, o: Extract<SweepOutcome, { ok: true }>): SweepRow {
  const num = (k: string) => (typeof o.stats[k] === 'number' ? (o.stats[k] as number) : null);
  const pf = o.stats.profit_factor;
  return {
    rank: 0,
    combination,
    params: { ...spec.instances[0]!.params },
    status: o.status,
    error: o.error,
    final_equity: o.final_equity,
    total_return: num('total_return'),
    cagr: num('cagr'),
    sharpe: num('sharpe'),
    sortino: num('sortino'),
    max_drawdown: num('max_drawdown'),
    win_rate: num('win_rate'),
    profit_factor: pf === 'inf' ? 'inf' : typeof pf === 'number' ? pf : null,
    avg_trade: num('avg_trade'),
    trades: num('trades') ?? 0,
    fills: o.fills,
    orders: o.orders,
  };
}

/** The columns must line up and the bars run forwards: the memory source binary-searches `t`. */
function checkColumns(symbol: string, columns: CandleColumns): CandleColumns {
  const n = columns.t.length;
  for (const k of COLUMNS) {
    if (!columns[k] || columns[k].length !== n) throw new WeaverError('invalid_argument', `the bars of ${symbol}: column ${k} has ${columns[k]?.length ?? 0} values, t has ${n}; every column needs one value per bar`, { symbol, column: k });
  }
  for (let i = 1; i < n; i++) {
    if (!(columns.t[i]! > columns.t[i - 1]!)) throw new WeaverError('invalid_argument', `the bars of ${symbol} are not in time order at bar ${i} (${columns.t[i - 1]} then ${columns.t[i]}); sort them by start first`, { symbol, index: i });
  }
  return columns;
}

/** One copy of a symbol's columns into shared memory, read in place by every thread. */
function share(symbol: string, columns: CandleColumns): SharedSeries {
  const bars = columns.t.length;
  const series: SharedSeries = { symbol, bars, buffer: new SharedArrayBuffer(COLUMNS.length * bars * Float64Array.BYTES_PER_ELEMENT) };
  const views = seriesViews(series);
  for (const k of COLUMNS) views[k].set(columns[k]);
  return series;
}
