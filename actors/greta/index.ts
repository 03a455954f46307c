// The Greta actor: the backtest venue on the Postgres event log, reading bars from the candles table.
import { defineActor } from '../../runtime/actor/define.ts';
import { candlesOfBatch } from '../../runtime/market-data/postgres.ts';
import { createGretaHandler, GRETA_TYPES } from './handler.ts';
import { initialGretaState, type GretaState } from './state.ts';

let handler: ReturnType<typeof createGretaHandler> | null = null;

export default defineActor<GretaState>({
  kind: 'greta',
  subscribe: {
    asyncCommit: true, // every effect derives from the log and stays in Postgres
    types: GRETA_TYPES,
    initialState: initialGretaState,
    handle: (event, ctx, actor) =>
      (handler ??= createGretaHandler(actor.id, candlesOfBatch))(event, ctx),
  },
});
