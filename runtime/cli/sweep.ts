// `weaver sweep`: a strategy over a grid of parameters, every combination a whole backtest on the memory
// kernel, on every core (runtime/backtest/sweep.ts). The grid is checked before the database is touched;
// the bars are read from the candles table once; the result is a ranked table (or one JSON object).
// Nothing is written to the database.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { WeaverError } from '../../protocol/errors.ts';
import { TIMEFRAMES, type Timeframe } from '../../protocol/timeframes.ts';
import { parseParamGrid } from '../../actors/marvin/params.ts';
import { fitToData } from '../backtest/spec.ts';
import { planSweep, RANK_STAT_NAMES, runSweep, type RankStat, type SweepBase, type SweepRow, type SweepSummary } from '../backtest/sweep.ts';
import type { CandleColumns } from '../data/columns.ts';
import { createPostgresCandleSource } from '../market-data/postgres.ts';
import { attachDatabase, cliConfig, explainQueryError } from './database.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { formatTable, note, printJson, printLine } from './output.ts';
import { progress } from './progress.ts';

/** WeaverError codes that mean the request itself is wrong: exit 2, nothing was run. */
const BAD_INPUT = new Set(['invalid_params', 'unknown_strategy', 'invalid_timeframe', 'invalid_argument', 'invalid_date', 'invalid_date_range', 'missing_data']);
const DEFAULT_TOP = 20;

interface SweepFlags {
  strategy: string;
  symbol: string[];
  timeframe: Timeframe;
  from?: string;
  to?: string;
  param?: string[];
  cash?: number;
  commissionRate?: number;
  slippageBps?: number;
  fill: string;
  rank: RankStat;
  top?: number;
  threads?: number;
  json?: boolean;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('backtest a strategy over a grid of parameters on every core and rank the combinations')
    .requiredOption('--strategy <name>', 'strategy to run, e.g. sma_cross')
    .requiredOption('--symbol <symbol...>', 'symbol(s) the instance trades (see weaver data list)')
    .addOption(new Option('--timeframe <timeframe>', 'bar length, as stored').choices(TIMEFRAMES).makeOptionMandatory())
    .option('--from <date>', 'first day (2024-01-02) or instant (ISO with a zone); default: the first stored bar')
    .option('--to <date>', 'last day (inclusive) or instant; default: the last stored bar')
    .option('--param <name=values>', 'a grid axis: slow=5..50, slow=5..50:5 (step), fast=5,10,20, qty=1 (repeat per parameter)', collect)
    .option('--cash <n>', 'starting cash of each backtest', number)
    .option('--commission-rate <r>', 'commission as a fraction of notional (0.001 = 0.1 %)', number)
    .option('--slippage-bps <n>', 'slippage in basis points on market fills', number)
    .addOption(new Option('--fill <model>', "market orders fill at the next bar's open or at its close").choices(['next_open', 'close']).default('next_open'))
    .addOption(new Option('--rank <stat>', 'statistic to rank by (max_drawdown: smallest first; the rest: largest first)').choices(RANK_STAT_NAMES).default('sharpe'))
    .option('--top <n>', `show the best n combinations (table default ${DEFAULT_TOP}, --json default all)`, positiveInteger)
    .option('--threads <n>', 'worker threads (default: one per core)', positiveInteger)
    .option('--json', 'print one JSON object: {combinations, bars, seconds, bars_per_second, results, …}')
    .addHelpText(
      'after',
      `
Each combination of the --param values is one backtest of one instance over the same bars (the cartesian
product; unlisted parameters keep their defaults). Every value is checked before anything runs; a
combination the strategy itself refuses (sma_cross: fast must be below slow) is skipped and counted.
Sharpe is computed on daily-resampled equity for intraday bars; a statistic without enough samples is n/a.
A combination with n/a for the statistic ranks after those with a figure, one whose run did not complete
after all that did; ties keep the grid's order.

Examples:
  $ weaver sweep --strategy sma_cross --symbol DEMO_ACME --timeframe 1m --param fast=5,10,20 --param slow=30..120:30
  $ weaver sweep --strategy sma_cross --symbol DEMO_ACME --timeframe 1m --from 2025-06-01 --param fast=10 --param slow=20..200:10 --rank total_return --top 5 --json`,
    )
    .action(runSweepCommand);
}

async function runSweepCommand(flags: SweepFlags): Promise<void> {
  const base: SweepBase = {
    strategy: flags.strategy,
    symbols: [...new Set(flags.symbol.map((s) => s.trim().toUpperCase()))],
    timeframe: flags.timeframe,
    from: flags.from ?? null,
    to: flags.to ?? null,
    cash: flags.cash,
    commissionRate: flags.commissionRate,
    slippageBps: flags.slippageBps,
    fill: flags.fill,
  };
  const grid = badInput(() => parseParamGrid(flags.param ?? []));
  const plan = badInput(() => planSweep(base, grid));

  const db = await attachDatabase(cliConfig());
  let bars: Record<string, CandleColumns>;
  try {
    const source = createPostgresCandleSource(db.pool);
    const fitted = await fitToData(plan.runs[0]!.spec, source).catch((e: unknown) => Promise.reject(asCliError(e)));
    const [from, to] = [Date.parse(fitted.from!), Date.parse(fitted.to!)];
    if (!flags.json) note(`reading ${base.symbols.join(', ')} ${base.timeframe} bars from ${fitted.from} to ${fitted.to} …`);
    bars = {};
    for (const symbol of base.symbols) {
      const w = await source.window([symbol], base.timeframe as Timeframe, from, to).catch((e: unknown) => Promise.reject(explainQueryError(e)));
      bars[symbol] = { t: w.t, o: w.o, h: w.h, l: w.l, c: w.c, v: w.v };
    }
  } finally {
    await db.close();
  }

  const abort = new AbortController();
  const stop = () => abort.abort(new CliError(EXIT.unexpected, 'interrupted', 'sweep interrupted (Ctrl-C); nothing was written'));
  process.once('SIGINT', stop);
  const bar = progress(`sweep ${plan.runs.length} combinations`);
  let summary: SweepSummary;
  try {
    summary = await runSweep({
      base,
      grid,
      bars,
      threads: flags.threads,
      rank: flags.rank,
      signal: abort.signal,
      onProgress: ({ done, total }) => bar.update(done, total, `${done} / ${total}`),
    }).catch((e: unknown) => Promise.reject(abort.signal.aborted ? abort.signal.reason : asCliError(e)));
  } finally {
    bar.finish();
    process.off('SIGINT', stop);
  }

  const top = flags.top ?? (flags.json ? summary.results.length : DEFAULT_TOP);
  if (flags.json) return printJson({ ...summary, results: summary.results.slice(0, top) });
  printTable(summary, top);
}

function printTable(s: SweepSummary, top: number): void {
  const names = Object.keys(s.results[0]?.params ?? {});
  const rows = s.results.slice(0, top);
  printLine(
    formatTable<SweepRow>(
      [
        { header: '#', value: (r) => r.rank, align: 'right' },
        ...names.map((name) => ({ header: name, value: (r: SweepRow) => String(r.params[name]), align: 'right' as const })),
        { header: 'final equity', value: (r) => fixed(r.final_equity, 2), align: 'right' },
        { header: 'return', value: (r) => percent(r.total_return), align: 'right' },
        { header: 'sharpe', value: (r) => fixed(r.sharpe, 2), align: 'right' },
        { header: 'max dd', value: (r) => percent(r.max_drawdown), align: 'right' },
        { header: 'trades', value: (r) => r.trades, align: 'right' },
        { header: 'win rate', value: (r) => percent(r.win_rate), align: 'right' },
        { header: 'profit f.', value: (r) => (r.profit_factor === 'inf' ? '∞' : fixed(r.profit_factor, 2)), align: 'right' },
        { header: 'status', value: (r) => (r.status === 'completed' ? 'ok' : `${r.status}: ${r.error?.message ?? ''}`) },
      ],
      rows,
    ),
  );
  if (rows.length < s.results.length) printLine(`… ${s.results.length - rows.length} more (--top ${s.results.length} shows all)`);
  if (s.skipped.length > 0) printLine(`skipped ${s.skipped.length} combination${s.skipped.length === 1 ? '' : 's'} the strategy refuses, e.g. ${s.skipped[0]!.reason}`);
  printLine(
    `${s.combinations} combination${s.combinations === 1 ? '' : 's'} × ${count(s.bars_per_run)} bars of ${s.symbols.join(', ')} ${s.timeframe} (${s.from} to ${s.to}), ranked by ${s.rank}: ` +
      `${count(s.bars)} bars in ${s.seconds.toFixed(1)} s on ${s.threads} thread${s.threads === 1 ? '' : 's'} = ${count(Math.round(s.bars_per_second))} bars/s`,
  );
}

/** Run `fn`; a WeaverError that means bad input becomes exit 2. */
function badInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw asCliError(error);
  }
}

function asCliError(error: unknown): unknown {
  if (error instanceof WeaverError && !(error instanceof CliError) && BAD_INPUT.has(error.code)) return new CliError(EXIT.usage, error.code, error.message, error.details);
  return explainQueryError(error);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function number(value: string): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number.');
  return n;
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number ≥ 1.');
  return Number(value);
}

const count = (n: number) => n.toLocaleString('en-US');
const fixed = (x: number | null, digits: number) => (x === null ? 'n/a' : x.toFixed(digits));
const percent = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
