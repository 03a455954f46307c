// strategy.*: what a strategy instance (Marvin) asks for and decides. Mode-agnostic: the router turns the
// requests into backtest.* or live.* by the run's mode, keeping corr_id and trace_id.
import * as v from 'valibot';
import { ErrorModel } from './errors.ts';
import { OrderRequest } from './orders.ts';
import { defineEvent } from './registry.ts';
import { TimeframeSchema } from './timeframes.ts';

const index = v.pipe(v.number(), v.integer(), v.minValue(0));
const epochMs = v.pipe(v.number(), v.integer());

/** Bars of `symbols` with from ≤ start ≤ to (epoch ms), for the tick batch that starts at `bar_index`. */
export const FetchWindowPayload = v.object({
  request_id: v.string(),
  run_id: v.string(),
  instance_id: v.string(),
  symbols: v.pipe(v.array(v.string()), v.minLength(1)),
  timeframe: TimeframeSchema,
  from: epochMs,
  to: epochMs,
  bar_index: index,
});
export const PlacePayload = v.object({ order: OrderRequest });
export const CancelPayload = v.object({ order_id: v.string(), run_id: v.string(), instance_id: v.string(), bar_index: index, reason: v.string() });
/** The instance has finished every bar before `bar_index` and has orders open: match them against the bars at `ts`. */
export const AdvancePayload = v.object({ run_id: v.string(), instance_id: v.string(), bar_index: index, ts: v.string() });
export const FinishedPayload = v.object({
  run_id: v.string(),
  instance_id: v.string(),
  status: v.picklist(['completed', 'failed', 'stopped']),
  /** Bars the instance handled. */
  bars: index,
  /** The start of the last bar it handled (ISO): results are valued up to there. Null: none, or unknown. */
  until: v.nullable(v.string()),
  error: v.nullable(ErrorModel),
});

export const StrategyFetchWindow = defineEvent('strategy.FetchWindow', 'cmd', FetchWindowPayload);
export const StrategyPlaceRequest = defineEvent('strategy.PlaceRequest', 'cmd', PlacePayload);
export const StrategyCancelRequest = defineEvent('strategy.CancelRequest', 'cmd', CancelPayload);
export const StrategyAdvance = defineEvent('strategy.Advance', 'cmd', AdvancePayload);
/** The instance is done (end of data, stopped, or its strategy threw). */
export const StrategyFinished = defineEvent('strategy.Finished', 'evt', FinishedPayload);
export const StrategyDecisionMade = defineEvent(
  'strategy.DecisionMade',
  'evt',
  v.object({
    decision_id: v.string(),
    run_id: v.string(),
    instance_id: v.string(),
    ts: v.string(),
    bar_index: index,
    action: v.string(),
    reason: v.string(),
    order_id: v.nullable(v.string()),
    details: v.record(v.string(), v.unknown()),
  }),
);
