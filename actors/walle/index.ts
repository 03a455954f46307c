// The WallE actor: the single writer of the business tables (runs, strategy_instances, orders, fills,
// decisions, backtests, trades), from the events in the log, in each batch's transaction. It must never
// emit events or decide anything: it records what the other actors said. (candles.ts, the candle writer,
// is called by the data commands, not by this actor.)
import { defineActor } from '../../runtime/actor/define.ts';
import { createWalleHandler, initialWalleState, WALLE_TYPES, type WalleState } from './handler.ts';

const handle = createWalleHandler();

export default defineActor<WalleState>({
  kind: 'walle',
  subscribe: {
    asyncCommit: true, // every effect derives from the log and stays in Postgres
    lingerMs: 100, // tables may trail the log by a tenth of a second; the strategies' round trips need the CPU
    types: WALLE_TYPES,
    initialState: initialWalleState,
    batchSize: 500,
    handle: (event, ctx) => handle(event, ctx),
  },
});
