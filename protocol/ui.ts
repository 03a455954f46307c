// ui.*: thin events for screens (the dashboard, `weaver events tail`). Keys and status only; the details
// are read over REST. The gateway projects them from the actors' events and serves them over SSE and the
// REST tail, each with its log cursor as its id.
import * as v from 'valibot';
import { OrderSide, OrderStatus } from './orders.ts';
import { defineEvent } from './registry.ts';
import { RunStatus } from './run.ts';

export const UiRunStatus = defineEvent(
  'ui.RunStatus',
  'evt',
  v.object({
    run_id: v.string(),
    mode: v.nullable(v.picklist(['backtest', 'live'])),
    status: RunStatus,
  }),
);
export const UiOrderStatus = defineEvent(
  'ui.OrderStatus',
  'evt',
  /** symbol and side are null where the venue's event does not carry them (cancels, some rejects). */
  v.object({ run_id: v.string(), instance_id: v.string(), order_id: v.string(), symbol: v.nullable(v.string()), side: v.nullable(OrderSide), status: OrderStatus }),
);
export const UiFill = defineEvent(
  'ui.Fill',
  'evt',
  v.object({ run_id: v.string(), instance_id: v.string(), order_id: v.string(), fill_id: v.string(), symbol: v.string(), side: OrderSide }),
);
export const UiActorState = defineEvent(
  'ui.ActorState',
  'evt',
  v.object({ actor_id: v.string(), kind: v.string(), state: v.picklist(['running', 'crashed', 'restarting', 'failed', 'stopped']) }),
);
/** How far one strategy instance of a backtest has got: the start of the bar it has reached (ISO). At most a few per second per run. */
export const UiBacktestProgress = defineEvent(
  'ui.BacktestProgress',
  'evt',
  v.object({ run_id: v.string(), instance_id: v.string(), bar_index: v.pipe(v.number(), v.integer(), v.minValue(0)), at: v.string() }),
);

export const UI_TYPES = [UiRunStatus, UiOrderStatus, UiFill, UiActorState, UiBacktestProgress].map((d) => d.type);
