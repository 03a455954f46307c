// The projection of the actors' events into thin ui.* events: keys and status, at the rate a screen needs.
// A backtest makes thousands of order events a second: for a run known to be a backtest only its status
// and its progress (at most one per PROGRESS_EVERY_MS of event time per run) are projected, and its orders
// and fills are read over REST; every other run's orders and fills are projected one for one. Throttling
// by the events' own timestamps keeps the projection deterministic: a replay emits the same ui events.
import {
  makeEvent,
  RUN_STATUS_AFTER,
  TERMINAL_RUN_STATUS,
  UiActorState,
  UiBacktestProgress,
  UiFill,
  UiOrderStatus,
  UiRunStatus,
  type Envelope,
  type EventDefinition,
  type Fill,
  type LoggedEvent,
  type OrderRequest,
  type PayloadOf,
  type RunSpec,
} from '../../protocol/index.ts';

export const PROJECTED_TYPES = ['run.*', 'orders.Accepted', 'orders.Rejected', 'orders.Filled', 'orders.Canceled', 'actor.Started', 'actor.Crashed', 'actor.Restarted', 'actor.Failed', 'actor.Stopped', 'strategy.FetchWindow'];

export const PROGRESS_EVERY_MS = 250;

export interface ProjectionState {
  /** Backtests not yet settled → event time (ms) of the last progress projected (0: none yet). */
  backtests: Record<string, number>;
}

export const initialProjection = (): ProjectionState => ({ backtests: {} });

const PRODUCER = 'gateway';


type ActorState = PayloadOf<typeof UiActorState>['state'];
const ACTOR_STATE: Readonly<Record<string, ActorState>> = {
  'actor.Started': 'running',
  'actor.Crashed': 'crashed',
  'actor.Restarted': 'restarting',
  'actor.Failed': 'failed',
  'actor.Stopped': 'stopped',
};

function ui<D extends EventDefinition>(def: D, payload: PayloadOf<D>, cause: LoggedEvent, runId: string | null): Envelope {
  return makeEvent(def, payload, PRODUCER, { run_id: runId }, cause);
}

/** The ui events for one source event (often none). Mutates `state`. */
export function project(event: LoggedEvent, state: ProjectionState): Envelope[] {
  const p = event.payload as Record<string, unknown>;
  const runStatus = RUN_STATUS_AFTER[event.type];
  if (runStatus !== undefined) {
    const spec = p.spec as RunSpec | undefined;
    const runId = spec?.run_id ?? (p.run_id as string);
    // Only run.Created and run.Started carry the spec (either makes a backtest known); for the other
    // events an unsettled backtest is known by its entry, so its status still says backtest.
    const mode = spec?.mode ?? (runId in state.backtests ? 'backtest' : null);
    const ended = TERMINAL_RUN_STATUS.has(runStatus);
    if (spec?.mode === 'backtest' && !ended) state.backtests[runId] ??= 0;
    if (ended) delete state.backtests[runId];
    return [ui(UiRunStatus, { run_id: runId, mode, status: runStatus }, event, runId)];
  }
  const actorState = ACTOR_STATE[event.type];
  if (actorState !== undefined) {
    return [ui(UiActorState, { actor_id: p.actor_id as string, kind: p.kind as string, state: actorState }, event, null)];
  }
  switch (event.type) {
    case 'strategy.FetchWindow': {
      const runId = p.run_id as string;
      const last = state.backtests[runId];
      if (last === undefined) return [];
      const at = Date.parse(event.ts);
      if (last !== 0 && at - last < PROGRESS_EVERY_MS) return [];
      state.backtests[runId] = at;
      return [ui(UiBacktestProgress, { run_id: runId, instance_id: p.instance_id as string, bar_index: p.bar_index as number, at: new Date(p.from as number).toISOString() }, event, runId)];
    }
    case 'orders.Accepted': {
      const o = p.order as OrderRequest;
      if (o.run_id in state.backtests) return [];
      return [ui(UiOrderStatus, { run_id: o.run_id, instance_id: o.instance_id, order_id: o.order_id, symbol: o.symbol, side: o.side, status: 'accepted' }, event, o.run_id)];
    }
    case 'orders.Rejected': {
      const runId = p.run_id as string;
      if (runId in state.backtests) return [];
      const o = p.order as OrderRequest | null;
      return [ui(UiOrderStatus, { run_id: runId, instance_id: p.instance_id as string, order_id: p.order_id as string, symbol: o?.symbol ?? null, side: o?.side ?? null, status: 'rejected' }, event, runId)];
    }
    case 'orders.Canceled': {
      const runId = p.run_id as string;
      if (runId in state.backtests) return [];
      return [ui(UiOrderStatus, { run_id: runId, instance_id: p.instance_id as string, order_id: p.order_id as string, symbol: null, side: null, status: 'canceled' }, event, runId)];
    }
    case 'orders.Filled': {
      const f = p.fill as Fill;
      if (f.run_id in state.backtests) return [];
      const keys = { run_id: f.run_id, instance_id: f.instance_id, order_id: f.order_id, symbol: f.symbol, side: f.side };
      return [
        ui(UiFill, { ...keys, fill_id: f.fill_id }, event, f.run_id),
        ui(UiOrderStatus, { ...keys, status: (p.remaining as number) > 0 ? 'partially_filled' : 'filled' }, event, f.run_id),
      ];
    }
    default:
      return [];
  }
}
