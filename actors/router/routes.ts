// The domain routing table: a strategy's request becomes the same request to the venue of the run's mode.
// Backtests go to Greta (backtest.*); live runs will go to Veda (live.*) once a live venue exists.
import {
  BacktestAdvance,
  BacktestCancelRequest,
  BacktestFetchWindow,
  BacktestFinish,
  BacktestPlaceRequest,
  type EventDefinition,
} from '../../protocol/index.ts';

export const BACKTEST_ROUTES: Readonly<Record<string, EventDefinition>> = Object.freeze({
  'strategy.FetchWindow': BacktestFetchWindow,
  'strategy.PlaceRequest': BacktestPlaceRequest,
  'strategy.CancelRequest': BacktestCancelRequest,
  'strategy.Advance': BacktestAdvance,
  'strategy.Finished': BacktestFinish,
});
