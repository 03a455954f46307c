// backtest.*: the strategy requests routed to the simulated venue (Greta), and Greta's results.
import * as v from 'valibot';
import { numberColumn } from './market.ts';
import { defineEvent } from './registry.ts';
import { AdvancePayload, CancelPayload, FetchWindowPayload, FinishedPayload, PlacePayload } from './strategy.ts';

const num = v.pipe(v.number(), v.finite());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));

export const BacktestFetchWindow = defineEvent('backtest.FetchWindow', 'cmd', FetchWindowPayload);
export const BacktestPlaceRequest = defineEvent('backtest.PlaceRequest', 'cmd', PlacePayload);
export const BacktestCancelRequest = defineEvent('backtest.CancelRequest', 'cmd', CancelPayload);
export const BacktestAdvance = defineEvent('backtest.Advance', 'cmd', AdvancePayload);
/** The instance is done: cancel what rests, value the portfolio, compute the statistics. */
export const BacktestFinish = defineEvent('backtest.Finish', 'cmd', FinishedPayload);

/** A statistic: a number, a word ('inf' for an infinite profit factor, a sampling name), or null for n/a. */
export const StatValue = v.union([num, v.string(), v.null()]);

export const BacktestCompleted = defineEvent(
  'backtest.Completed',
  'evt',
  v.object({
    run_id: v.string(),
    instance_id: v.string(),
    status: v.picklist(['completed', 'failed', 'stopped']),
    final_equity: num,
    cash: num,
    positions: v.array(v.object({ symbol: v.string(), qty: num, avg_price: num, last_price: num })),
    stats: v.record(v.string(), StatValue),
    /** The equity curve for charts (at most a few thousand points: per bar, or the last of each UTC day). */
    equity: v.object({ sampling: v.string(), t: numberColumn('integer'), e: numberColumn('finite') }),
    fills: count,
    orders: count,
    trades: count,
  }),
);

export const Trade = v.object({
  seq: count,
  symbol: v.string(),
  side: v.picklist(['long', 'short']),
  entry_ts: v.pipe(v.number(), v.integer()),
  exit_ts: v.nullable(v.pipe(v.number(), v.integer())),
  entry_price: num,
  exit_price: v.nullable(num),
  qty: num,
  pnl: num,
  fees: num,
});
export type TradeRecord = v.InferOutput<typeof Trade>;

/** Round-trip trades of a finished instance, a few hundred to an event, after its backtest.Completed. */
export const BacktestTrades = defineEvent('backtest.Trades', 'evt', v.object({ run_id: v.string(), instance_id: v.string(), trades: v.array(Trade) }));
