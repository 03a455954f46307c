// The clock's handler: starts a BacktestClock per backtest run on run.Started, moves it on as the
// strategies ask for windows (their progress), ends it on run.StopRequested, forgets it when the run settles.
import type { LoggedEvent, RunSpec } from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/eventlog/types.ts';
import type { CandleSource } from '../../runtime/market-data/source.ts';
import type { CommonQueryMethods } from 'slonik';
import { newClockRun, pump, stopRun, type ClockState } from './backtest-clock.ts';

export const CLOCK_TYPES = ['run.Started', 'run.StopRequested', 'run.Completed', 'run.Failed', 'run.Stopped', 'strategy.FetchWindow', 'strategy.Finished'] as const;

export function createClockHandler(producer: string, candles: (db: CommonQueryMethods | null) => CandleSource) {
  return async function handle(event: LoggedEvent, ctx: HandlerContext<ClockState>): Promise<void> {
    const p = event.payload as { run_id?: string; spec?: RunSpec; instance_id?: string; bar_index?: number };
    const runId = p.run_id ?? p.spec?.run_id ?? '';
    const emit = (e: Parameters<typeof ctx.emit>[0]) => ctx.emit(e);
    switch (event.type) {
      case 'run.Started': {
        if (p.spec!.mode !== 'backtest' || ctx.state.runs[runId]) return;
        const run = newClockRun(p.spec!);
        ctx.state.runs[runId] = run;
        await pump(runId, run, candles(ctx.db), emit, producer);
        return;
      }
      case 'strategy.FetchWindow':
      case 'strategy.Finished': {
        const run = ctx.state.runs[runId];
        const id = p.instance_id!;
        if (!run || !(id in run.reached)) return;
        if (event.type === 'strategy.Finished') delete run.reached[id];
        else run.reached[id] = Math.max(run.reached[id]!, p.bar_index!);
        await pump(runId, run, candles(ctx.db), emit, producer);
        return;
      }
      case 'run.StopRequested': {
        const run = ctx.state.runs[runId];
        if (run) stopRun(runId, run, emit, producer);
        return;
      }
      default: // run.Completed / Failed / Stopped
        delete ctx.state.runs[runId];
    }
  };
}
