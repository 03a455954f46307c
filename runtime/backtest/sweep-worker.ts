// The piscina task of a parameter sweep: one combination = one whole backtest on the memory kernel.
// The bars arrive once per thread, in workerData, as SharedArrayBuffers (six Float64 columns per symbol,
// never copied: a year of 1m bars is 25 MB per symbol); a task is only the RunSpec to run (~1 KB).
// What crosses back is the instance's summary (no equity curve, no fills), and a kernel failure comes back
// as data ({name, message, stack}), never as a thrown error, so the caller can name the combination.
import { workerData } from 'node:worker_threads';
import type { ErrorModel, RunSpec, Timeframe } from '../../protocol/index.ts';
import { createMemoryCandleSource } from '../market-data/memory.ts';
import type { CandleSource } from '../market-data/source.ts';
import { runInMemory } from './kernel.ts';

/** One symbol's bars: columns t, o, h, l, c, v of `bars` Float64 values each, one after the other. */
export interface SharedSeries {
  readonly symbol: string;
  readonly bars: number;
  readonly buffer: SharedArrayBuffer;
}

export interface SweepWorkerData {
  readonly timeframe: Timeframe;
  readonly series: readonly SharedSeries[];
}

export interface SweepTask {
  readonly spec: RunSpec;
}

export type SweepOutcome =
  | {
      readonly ok: true;
      readonly status: string;
      readonly error: ErrorModel | null;
      readonly final_equity: number;
      readonly stats: Record<string, number | string | null>;
      readonly fills: number;
      readonly orders: number;
    }
  | { readonly ok: false; readonly error: { name: string; message: string; stack: string | null } };

export const COLUMNS = ['t', 'o', 'h', 'l', 'c', 'v'] as const;

/** Views over a SharedSeries' buffer, column by column (no copy). */
export function seriesViews(s: SharedSeries): Record<(typeof COLUMNS)[number], Float64Array> {
  const view = (k: number) => new Float64Array(s.buffer, k * s.bars * Float64Array.BYTES_PER_ELEMENT, s.bars);
  return { t: view(0), o: view(1), h: view(2), l: view(3), c: view(4), v: view(5) };
}

let source: CandleSource | null = null;

/** This thread's bars, made on its first task (so the main thread may import seriesViews from here). */
function sharedSource(): CandleSource {
  if (source) return source;
  const data = workerData as SweepWorkerData;
  const memory = createMemoryCandleSource();
  for (const s of data.series) memory.add(s.symbol, data.timeframe, seriesViews(s));
  return (source = memory);
}

export default async function runCombination(task: SweepTask): Promise<SweepOutcome> {
  try {
    const result = await runInMemory(task.spec, sharedSource());
    const instance = result.instances[0]!;
    return {
      ok: true,
      status: instance.status,
      error: instance.error ?? result.error,
      final_equity: instance.final_equity,
      stats: instance.stats,
      fills: instance.fills.length,
      orders: instance.orders.length,
    };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ok: false, error: { name: e.name, message: e.message, stack: e.stack ?? null } };
  }
}
