// WallE's handler: the events of runs, strategies, orders and backtests become rows of the business
// tables, written in the consumer's batch transaction (ctx.db), so a row and the offset past its event
// commit together. Delivery is still at-least-once across a lost connection, and a producer may send the
// same fact twice under two event ids, so every writer is idempotent by the fact's own key (run, order,
// fill, decision, instance, trade seq), never by the event id. WallE emits nothing and keeps no state.
import type { CommonQueryMethods } from 'slonik';
import type {
  BacktestCompleted,
  BacktestTrades,
  LoggedEvent,
  OrdersAccepted,
  OrdersCanceled,
  OrdersFilled,
  OrdersRejected,
  PayloadOf,
  RunCompleted,
  RunCreated,
  RunFailed,
  RunStarted,
  RunStopped,
  RunStopRequested,
  StrategyDecisionMade,
  StrategyFinished,
  StrategyPlaceRequest,
} from '../../protocol/index.ts';
import { insertDecision } from './writers/decisions.ts';
import { insertFill } from './writers/fills.ts';
import { insertOrder, markOrderAccepted, markOrderCanceled, markOrderRejected } from './writers/orders.ts';
import { insertTrades, upsertBacktest } from './writers/results.ts';
import { insertRun, markInstanceFinished, markRunEnded, markRunStarted, markRunStopping } from './writers/runs.ts';

/** Exact types (no wildcards): the log filters them in SQL, so bar windows and ticks are never read. */
export const WALLE_TYPES = [
  'run.Created',
  'run.Started',
  'run.StopRequested',
  'run.Completed',
  'run.Failed',
  'run.Stopped',
  'strategy.Finished',
  'strategy.DecisionMade',
  'strategy.PlaceRequest',
  'orders.Accepted',
  'orders.Rejected',
  'orders.Canceled',
  'orders.Filled',
  'backtest.Completed',
  'backtest.Trades',
] as const;

export type WalleState = Record<string, never>;
export const initialWalleState = (): WalleState => ({});

/** What the handler needs of the batch context: its transaction's connection (any actor state type). */
export interface WalleContext {
  readonly db: CommonQueryMethods | null;
}

export function createWalleHandler(): (event: LoggedEvent, ctx: WalleContext) => Promise<void> {
  return async function handle(event, ctx) {
    const db = ctx.db;
    if (!db) throw new Error('WallE writes the business tables and needs the Postgres event log (ctx.db is null: a memory log); run it under the supervisor on Postgres');
    await write(db, event);
  };
}

async function write(db: CommonQueryMethods, event: LoggedEvent): Promise<void> {
  const payload = event.payload;
  switch (event.type) {
    case 'run.Created':
      return insertRun(db, payload as PayloadOf<typeof RunCreated>, event.ts);
    case 'run.Started':
      return markRunStarted(db, payload as PayloadOf<typeof RunStarted>, event.ts);
    case 'run.StopRequested':
      return markRunStopping(db, (payload as PayloadOf<typeof RunStopRequested>).run_id);
    case 'run.Completed': {
      const p = payload as PayloadOf<typeof RunCompleted>;
      return markRunEnded(db, { runId: p.run_id, status: 'completed', error: null, instances: p.instances, ts: event.ts });
    }
    case 'run.Failed': {
      const p = payload as PayloadOf<typeof RunFailed>;
      return markRunEnded(db, { runId: p.run_id, status: 'failed', error: p.error, instances: p.instances, ts: event.ts });
    }
    case 'run.Stopped': {
      const p = payload as PayloadOf<typeof RunStopped>;
      return markRunEnded(db, { runId: p.run_id, status: 'stopped', error: null, instances: p.instances, ts: event.ts });
    }
    case 'strategy.Finished': {
      const p = payload as PayloadOf<typeof StrategyFinished>;
      return markInstanceFinished(db, p.instance_id, p.status, p.error);
    }
    case 'strategy.DecisionMade':
      return insertDecision(db, payload as PayloadOf<typeof StrategyDecisionMade>);
    case 'strategy.PlaceRequest':
      return insertOrder(db, (payload as PayloadOf<typeof StrategyPlaceRequest>).order);
    case 'orders.Accepted':
      return markOrderAccepted(db, (payload as PayloadOf<typeof OrdersAccepted>).order);
    case 'orders.Rejected': {
      const p = payload as PayloadOf<typeof OrdersRejected>;
      return markOrderRejected(db, p.order_id, p.reason, p.order);
    }
    case 'orders.Canceled': {
      const p = payload as PayloadOf<typeof OrdersCanceled>;
      return markOrderCanceled(db, p.order_id, p.reason);
    }
    case 'orders.Filled':
      return insertFill(db, payload as PayloadOf<typeof OrdersFilled>);
    case 'backtest.Completed':
      return upsertBacktest(db, payload as PayloadOf<typeof BacktestCompleted>);
    case 'backtest.Trades':
      return insertTrades(db, payload as PayloadOf<typeof BacktestTrades>);
    default:
      return; // a type WallE does not write
  }
}
