// npm run bench:backtest [-- --json] [-- --days 365] [-- --ticks 20] [-- --pipeline-bars 20000]
// Backtest figures, each beside its ceiling or target (TRADING.md complaint 4: slow single-threaded
// backtests, no parallel sweeps). Not a test: it prints numbers, it asserts nothing.
// (a) the memory kernel in this thread: sma_cross over a year of 1m demo bars (525,600, generated in
//     memory), best of 3 after a warm-up, per parameter set; target ≥ 1,000,000 bars/s.
// (b) runSweep over 8 combinations with 1 thread, then one per core: total bars/s (pool start-up
//     included) beside the ideal, threads × the single-thread kernel figure of (a).
// (c) the RealtimeClock's tick error (test/bench/realtime-clock.ts), target ±50 ms.
// (d) the full actor pipeline (runPipelineBench in test/bench/pipeline.ts), skipped while that file does
//     not exist; its ceiling is the kernel figure of (a): the same handlers without Postgres between them.
// The machine is shared: the load average before and after is printed, and on 2 cores one busy neighbour
// halves (b)'s scaling.
import os from 'node:os';
import { parseParamGrid, type RawParams } from '../../actors/marvin/params.ts';
import { runInMemory } from '../../runtime/backtest/kernel.ts';
import { buildRunSpec, fitToData } from '../../runtime/backtest/spec.ts';
import { runSweep } from '../../runtime/backtest/sweep.ts';
import { demoSymbols, generateDemoBars } from '../../runtime/data/demo.ts';
import { createMemoryCandleSource } from '../../runtime/market-data/memory.ts';
import { measureTickError } from './realtime-clock.ts';
import { intFlag, json, say } from './flags.ts';



const DAYS = intFlag('--days', 365, 'bench:backtest');
const TICKS = intFlag('--ticks', 20, 'bench:backtest');
const PIPELINE_TARGET = 20_000;
const PIPELINE_BARS = intFlag('--pipeline-bars', 525_600, 'bench:backtest');
const KERNEL_TARGET = 1_000_000;
const CLOCK_TARGET_MS = 50;
const KERNEL_PARAMS: RawParams[] = [{ fast: 60, slow: 240 }, { fast: 20, slow: 100 }];
const SWEEP_GRID = parseParamGrid(['fast=20,60', 'slow=100,240,480,960']);

const [demo] = demoSymbols({ symbols: 1 });
const SYMBOL = demo!.symbol;
const BASE = { strategy: 'sma_cross', symbols: [SYMBOL], timeframe: '1m' } as const;
const round = (x: number, digits = 0) => Number(x.toFixed(digits));
const loadAverage = () => os.loadavg().map((x) => round(x, 2));

const loadBefore = loadAverage();
say(`machine: ${os.availableParallelism()} cores, load average ${loadBefore.join(' ')}; Node ${process.version}`);
say(`generating ${DAYS} days of 1m demo bars of ${SYMBOL} …`);
const bars = generateDemoBars(demo!, { seed: 1, days: DAYS });
const source = createMemoryCandleSource();
source.add(SYMBOL, '1m', bars);
const barCount = bars.t.length;

// (a) The kernel, one thread.
const kernel = [];
for (const params of KERNEL_PARAMS) {
  say(`(a) kernel, sma_cross ${JSON.stringify(params)}: warm-up + 3 runs …`);
  const spec = await fitToData(buildRunSpec({ ...BASE, params }), source);
  const samples: number[] = [];
  let fills = 0;
  for (let i = 0; i < 4; i++) {
    const started = performance.now();
    const result = await runInMemory(spec, source);
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 'completed') throw new Error(`the kernel run ${JSON.stringify(params)} ended ${result.status}: ${result.error?.message}`);
    fills = result.instances[0]!.fills.length;
    if (i > 0) samples.push(seconds);
  }
  const best = Math.min(...samples);
  kernel.push({ params, bars: barCount, best_seconds: round(best, 3), bars_per_second: round(barCount / best), samples_seconds: samples.map((s) => round(s, 3)), fills });
}
const kernelRate = kernel.reduce((s, k) => s + k.bars_per_second, 0) / kernel.length;

// (b) The sweep, 1 thread then every core.
const sweep = [];
for (const threads of [...new Set([1, os.availableParallelism()])]) {
  say(`(b) sweep, ${SWEEP_GRID.length} combinations on ${threads} thread${threads === 1 ? '' : 's'} …`);
  const r = await runSweep({ base: BASE, grid: SWEEP_GRID, bars: { [SYMBOL]: bars }, threads });
  const ceiling = threads * kernelRate;
  sweep.push({ threads, combinations: r.combinations, bars: r.bars, seconds: round(r.seconds, 2), bars_per_second: round(r.bars_per_second), ceiling_bars_per_second: round(ceiling), share_of_ceiling: round(r.bars_per_second / ceiling, 3) });
}
const scaling = sweep.length > 1 ? round(sweep[sweep.length - 1]!.bars_per_second / sweep[0]!.bars_per_second, 2) : 1;

// (c) The realtime clock.
say(`(c) RealtimeClock tick error, ${TICKS} ticks of 1 s …`);
const tick = await measureTickError({ lengthMs: 1000, ticks: TICKS });
const clock = { ticks: tick.ticks, length_ms: 1000, p50_ms: round(tick.p50, 3), p99_ms: round(tick.p99, 3), max_ms: round(tick.max, 3), target_ms: CLOCK_TARGET_MS };

// (d) The full actor pipeline (Postgres with fsync on, worker threads), two strategies' turnovers: the
// round trip of an order to the venue, not the bars, is what costs there.
say(`(d) full actor pipeline, ${PIPELINE_BARS.toLocaleString('en-US')} bars …`);
let pipeline: Record<string, unknown>[];
try {
  const { runPipelineBench } = await import('./pipeline.ts');
  const runs = await runPipelineBench({ bars: PIPELINE_BARS, params: [{ fast: 390, slow: 1560 }, { fast: 60, slow: 240 }] });
  pipeline = runs.map((p) => ({ params: p.params, bars: p.bars, seconds: round(p.seconds, 2), bars_per_second: round(p.bars_per_second), fills: p.fills, target_bars_per_second: PIPELINE_TARGET, ceiling_bars_per_second: round(kernelRate), share_of_ceiling: round(p.bars_per_second / kernelRate, 4) }));
} catch (error) {
  pipeline = [{ failed: error instanceof Error ? error.message : String(error) }];
}

const figures = {
  machine: { cores: os.availableParallelism(), node: process.version, load_average_before: loadBefore, load_average_after: loadAverage() },
  kernel: { strategy: 'sma_cross', symbol: SYMBOL, timeframe: '1m', target_bars_per_second: KERNEL_TARGET, runs: kernel },
  sweep: { grid: 'fast=20,60 × slow=100,240,480,960', single_thread_kernel_bars_per_second: round(kernelRate), runs: sweep, scaling },
  clock,
  pipeline,
};

if (json) console.log(JSON.stringify(figures));
else {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const rows: [string, string, string][] = [
    ...kernel.map((k): [string, string, string] => [
      `(a) kernel, fast=${k.params.fast} slow=${k.params.slow}, ${n(k.bars)} bars`,
      `${n(k.bars_per_second)} bars/s, ${n(k.fills)} fills`,
      `target ≥ ${n(KERNEL_TARGET)} (${round((k.bars_per_second / KERNEL_TARGET) * 100)}%)`,
    ]),
    ...sweep.map((s): [string, string, string] => [
      `(b) sweep, ${s.combinations} combinations, ${s.threads} thread${s.threads === 1 ? '' : 's'}`,
      `${n(s.bars_per_second)} bars/s in ${s.seconds} s`,
      `ceiling ${n(s.ceiling_bars_per_second)} = ${s.threads} × kernel (${round(s.share_of_ceiling * 100)}%)`,
    ]),
    ['(b) sweep scaling', `× ${scaling}`, `ideal × ${sweep[sweep.length - 1]!.threads}`],
    ['(c) RealtimeClock tick error p50 / p99 / max', `${clock.p50_ms} / ${clock.p99_ms} / ${clock.max_ms} ms`, `target ±${CLOCK_TARGET_MS} ms, ${clock.ticks} ticks`],
    ...pipeline.map((p): [string, string, string] =>
      typeof p.bars_per_second === 'number'
        ? [
            `(d) pipeline, fast=${(p.params as { fast: number }).fast} slow=${(p.params as { slow: number }).slow}, ${n(p.bars as number)} bars`,
            `${n(p.bars_per_second)} bars/s, ${n(p.fills as number)} fills`,
            `target ≥ ${n(PIPELINE_TARGET)} (${round((p.bars_per_second / PIPELINE_TARGET) * 100)}%); kernel ${n(kernelRate)}`,
          ]
        : ['(d) full actor pipeline', 'failed', String(p.failed)],
    ),
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  console.log(`load average before / after: ${figures.machine.load_average_before.join(' ')} / ${figures.machine.load_average_after.join(' ')} on ${figures.machine.cores} cores`);
}
