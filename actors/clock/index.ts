// The clock actor (GLaDOS): clock.Tick per run. Backtests: BacktestClock over the candles table.
import { defineActor } from '../../runtime/actor/define.ts';
import { candlesOfBatch } from '../../runtime/market-data/postgres.ts';
import { initialClockState, type ClockState } from './backtest-clock.ts';
import { CLOCK_TYPES, createClockHandler } from './handler.ts';

let handler: ReturnType<typeof createClockHandler> | null = null;

export default defineActor<ClockState>({
  kind: 'clock',
  subscribe: {
    asyncCommit: true, // every effect derives from the log and stays in Postgres
    types: CLOCK_TYPES,
    initialState: initialClockState,
    handle: (event, ctx, actor) =>
      (handler ??= createClockHandler(actor.id, candlesOfBatch))(event, ctx),
  },
});
