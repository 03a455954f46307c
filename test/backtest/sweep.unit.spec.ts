// runSweep: every combination of a grid run in a piscina pool over shared bars must be exactly the
// backtest one runInMemory gives with those parameters; the ranking is best first, n/a last, ties in grid
// order, whatever the thread count; a bad grid is refused before anything runs.
import { describe, expect, it } from 'vitest';
import { WeaverError } from '../../protocol/errors.ts';
import { parseParamGrid } from '../../actors/marvin/params.ts';
import { runInMemory } from '../../runtime/backtest/kernel.ts';
import { buildRunSpec, fitToData } from '../../runtime/backtest/spec.ts';
import { rankRows, runSweep, type SweepBase, type SweepRow } from '../../runtime/backtest/sweep.ts';
import { demoSymbols, generateDemoBars } from '../../runtime/data/demo.ts';
import { createMemoryCandleSource } from '../../runtime/market-data/memory.ts';

const [spec] = demoSymbols({ symbols: 1 });
const SYMBOL = spec!.symbol;
// Three days of 1m bars (4,320): enough for dozens of crossings, a few ms per backtest.
const BARS = generateDemoBars(spec!, { seed: 7, days: 3 });
const BASE: SweepBase = { strategy: 'sma_cross', symbols: [SYMBOL], timeframe: '1m', cash: 10_000, commissionRate: 0.001 };
// slow=5000 is longer than the series: no signal, no trade, flat equity, so Sharpe and win rate are n/a.
const GRID = parseParamGrid(['fast=3,8', 'slow=20,60,5000', 'qty=2']);

async function single(params: Record<string, string | number>) {
  const source = createMemoryCandleSource();
  source.add(SYMBOL, '1m', BARS);
  const run = await fitToData(buildRunSpec({ ...BASE, params }), source);
  return (await runInMemory(run, source)).instances[0]!;
}

async function refusal(promise: Promise<unknown>): Promise<WeaverError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(WeaverError);
  return error as WeaverError;
}

describe('runSweep', () => {
  it('gives every combination exactly the result of a single runInMemory with its parameters', async () => {
    const progress: number[] = [];
    const sweep = await runSweep({ base: BASE, grid: GRID, bars: { [SYMBOL]: BARS }, threads: 2, onProgress: (p) => progress.push(p.done) });
    expect(sweep.combinations).toBe(6);
    expect(sweep.bars_per_run).toBe(4_320);
    expect(sweep.bars).toBe(6 * 4_320);
    expect(sweep.threads).toBe(2);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sweep.results.map((r) => r.combination).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const row of sweep.results) {
      const alone = await single(GRID[row.combination]!);
      const s = alone.stats;
      expect(row.params).toEqual(alone.params);
      expect(row.params).toEqual({ fast: Number(GRID[row.combination]!.fast), slow: Number(GRID[row.combination]!.slow), qty: 2 });
      expect(row, `combination ${row.combination}`).toMatchObject({
        status: alone.status,
        final_equity: alone.final_equity,
        total_return: s.total_return,
        cagr: s.cagr,
        sharpe: s.sharpe,
        sortino: s.sortino,
        max_drawdown: s.max_drawdown,
        win_rate: s.win_rate,
        profit_factor: s.profit_factor,
        avg_trade: s.avg_trade,
        trades: s.trades,
        fills: alone.fills.length,
        orders: alone.orders.length,
      });
    }
    // The grid really differs between combinations: some trade, the slow=5000 ones never do.
    expect(sweep.results.filter((r) => r.fills > 0).length).toBe(4);
  });

  it('ranks by the statistic asked, best first, n/a last; 1 and 2 threads rank identically', async () => {
    const one = await runSweep({ base: BASE, grid: GRID, bars: { [SYMBOL]: BARS }, threads: 1, rank: 'sharpe' });
    const two = await runSweep({ base: BASE, grid: GRID, bars: { [SYMBOL]: BARS }, threads: 2, rank: 'sharpe' });
    const strip = (rows: SweepRow[]) => rows.map(({ rank, combination, params, final_equity, sharpe, fills }) => ({ rank, combination, params, final_equity, sharpe, fills }));
    expect(strip(two.results)).toEqual(strip(one.results));

    const sharpe = one.results.map((r) => r.sharpe);
    const known = sharpe.filter((x): x is number => x !== null);
    expect(known.length).toBe(4);
    expect(sharpe.slice(0, 4)).toEqual([...known].sort((a, b) => b - a));
    expect(sharpe.slice(4)).toEqual([null, null]);
    // The two n/a rows (slow=5000, fast 3 then 8) keep their grid order.
    expect(one.results.slice(4).map((r) => r.combination)).toEqual([2, 5]);
    expect(one.results.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);

    const byDrawdown = await runSweep({ base: BASE, grid: GRID, bars: { [SYMBOL]: BARS }, threads: 1, rank: 'max_drawdown' });
    const dd = byDrawdown.results.map((r) => r.max_drawdown!);
    expect(dd).toEqual([...dd].sort((a, b) => a - b));
  });

  it('refuses an invalid value anywhere in the grid before reading the bars or starting a thread', async () => {
    let progressed = 0;
    const grid = [...GRID, { fast: 'ten', slow: 20 }];
    // No bars at all: a sweep that did any work would fail on missing data instead.
    const error = await refusal(runSweep({ base: BASE, grid, bars: {}, onProgress: () => progressed++ }));
    expect(error.code).toBe('invalid_params');
    expect(error.details).toMatchObject({ param: 'fast', value: 'ten' });
    expect(error.message).toMatch(/parameter fast of sma_cross must be an integer/);
    expect(progressed).toBe(0);

    const unknown = await refusal(runSweep({ base: BASE, grid: parseParamGrid(['fast=3', 'slo=20']), bars: {} }));
    expect(unknown.details).toMatchObject({ param: 'slo' });
    expect((await refusal(runSweep({ base: BASE, grid: [{ fast: 0 }], bars: {} }))).details).toMatchObject({ param: 'fast' });
    expect((await refusal(runSweep({ base: BASE, grid: [], bars: {} }))).code).toBe('invalid_params');
    expect((await refusal(runSweep({ base: BASE, grid: GRID, bars: {}, threads: 0 }))).message).toMatch(/--threads 0/);
  });

  it('skips the combinations only the strategy refuses as a set, and refuses a grid of nothing else', async () => {
    const sweep = await runSweep({ base: BASE, grid: parseParamGrid(['fast=5,30', 'slow=20,60']), bars: { [SYMBOL]: BARS }, threads: 1 });
    expect(sweep.combinations).toBe(3);
    expect(sweep.skipped).toEqual([{ combination: 2, params: { fast: '30', slow: '20' }, reason: expect.stringMatching(/fast \(30\) must be less than slow \(20\)/) }]);
    const none = await refusal(runSweep({ base: BASE, grid: parseParamGrid(['fast=30,40', 'slow=20']), bars: { [SYMBOL]: BARS } }));
    expect(none.message).toMatch(/no combination of the grid is valid \(2 refused\)/);
  });

  it('names the symbol when the bars are missing or out of order', async () => {
    expect((await refusal(runSweep({ base: BASE, grid: GRID, bars: {} }))).code).toBe('missing_data');
    const t = Float64Array.from(BARS.t);
    [t[10], t[11]] = [t[11]!, t[10]!];
    const error = await refusal(runSweep({ base: BASE, grid: GRID, bars: { [SYMBOL]: { ...BARS, t } } }));
    expect(error.message).toMatch(new RegExp(`the bars of ${SYMBOL} are not in time order at bar 11`));
  });
});

describe('rankRows', () => {
  const row = (combination: number, over: Partial<SweepRow>): SweepRow => ({
    rank: 0, combination, params: {}, status: 'completed', error: null, final_equity: 10_000, total_return: null, cagr: null, sharpe: null,
    sortino: null, max_drawdown: null, win_rate: null, profit_factor: null, avg_trade: null, trades: 0, fills: 0, orders: 0, ...over,
  });

  it('puts the largest first (smallest for max_drawdown), ∞ above any number, failed runs and n/a last, ties in grid order', () => {
    const rows = [
      row(0, { sharpe: null, profit_factor: null, max_drawdown: null }),
      row(1, { sharpe: 0.5, profit_factor: 1.5, max_drawdown: 0.2 }),
      row(2, { sharpe: 2, profit_factor: 'inf', max_drawdown: 0.1, status: 'failed' }),
      row(3, { sharpe: 1, profit_factor: 'inf', max_drawdown: 0.05 }),
      row(4, { sharpe: 0.5, profit_factor: 3, max_drawdown: 0.2 }),
      row(5, { sharpe: -1, profit_factor: 0.5, max_drawdown: 0.3 }),
    ];
    const order = (stat: Parameters<typeof rankRows>[1]) => rankRows(rows, stat).map((r) => r.combination);
    expect(order('sharpe')).toEqual([3, 1, 4, 5, 0, 2]);
    expect(order('profit_factor')).toEqual([3, 4, 1, 5, 0, 2]);
    expect(order('max_drawdown')).toEqual([3, 1, 4, 5, 0, 2]);
    expect(rankRows(rows, 'sharpe').map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    // The input order does not matter.
    expect(rankRows([...rows].reverse(), 'sharpe').map((r) => r.combination)).toEqual(order('sharpe'));
  });
});
