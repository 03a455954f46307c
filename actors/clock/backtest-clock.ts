// The BacktestClock: fast-forward through the stored bars of a run's symbols, deterministically (the
// ticks are the distinct bar starts in [from, to], sent a batch to an event), with bounded run-ahead.
// Backpressure comes from the strategies' own progress as committed in the log: a Marvin asks for the
// window of a tick batch in the same transaction that moves its offset past the batch before, so the
// clock never runs more than `ahead` batches past the slowest live instance. Lockstep while orders are
// open is between each strategy and the venue (orders.Matched, bar by bar), so the clock need not stop.
import { makeEvent, ClockTick, type Envelope, type RunSpec, type Timeframe } from '../../protocol/index.ts';
import type { CandleSource } from '../../runtime/market-data/source.ts';

export type ClockRun = {
  timeframe: Timeframe;
  symbols: string[];
  from: number;
  to: number;
  /** Ticks per event. */
  batch: number;
  /** Batches the clock may run ahead of the slowest live instance. */
  ahead: number;
  next_index: number;
  last_ts: number | null;
  done: boolean;
  /** Per live instance: the first bar index of the latest batch it asked a window for. */
  reached: Record<string, number>;
};

export interface ClockState {
  runs: Record<string, ClockRun>;
}

export const initialClockState = (): ClockState => ({ runs: {} });

/**
 * ~5,000 bars of the run's symbols per batch: the ticks (~14 bytes each) stay under the ~100 KB inline
 * limit, and each window request (answered in chunks) is paid for once per 5,000 bars.
 */
export function batchSize(symbols: number): number {
  return Math.max(500, Math.floor(5000 / Math.max(1, symbols)));
}

export function newClockRun(spec: RunSpec, ahead = 3): ClockRun {
  const symbols = [...new Set(spec.instances.flatMap((i) => i.symbols))].sort();
  return {
    timeframe: spec.timeframe,
    symbols,
    from: Date.parse(spec.from!),
    to: Date.parse(spec.to!),
    batch: batchSize(symbols.length),
    ahead,
    next_index: 0,
    last_ts: null,
    done: false,
    reached: Object.fromEntries(spec.instances.map((i) => [i.instance_id, 0])),
  };
}

/** Emit the batches the slowest live instance allows. */
export async function pump(runId: string, run: ClockRun, source: CandleSource, emit: (e: Envelope) => void, producer: string): Promise<void> {
  const live = Object.values(run.reached);
  if (live.length === 0) run.done = true;
  while (!run.done) {
    const slowest = Math.min(...live);
    if (run.next_index >= slowest + run.ahead * run.batch) return;
    const ts = await source.timestamps(run.symbols, run.timeframe, run.from, run.last_ts, run.to, run.batch);
    const final = ts.length < run.batch;
    emit(makeEvent(ClockTick, { run_id: runId, timeframe: run.timeframe, is_backtest: true, bar_index: run.next_index, ts, final }, producer, { run_id: runId }));
    run.next_index += ts.length;
    if (ts.length > 0) run.last_ts = ts[ts.length - 1]!;
    if (final) run.done = true;
  }
}

/** The run was stopped: one last, empty, final batch so every strategy ends where it is. */
export function stopRun(runId: string, run: ClockRun, emit: (e: Envelope) => void, producer: string): void {
  if (run.done) return;
  emit(makeEvent(ClockTick, { run_id: runId, timeframe: run.timeframe, is_backtest: true, bar_index: run.next_index, ts: [], final: true }, producer, { run_id: runId }));
  run.done = true;
}
