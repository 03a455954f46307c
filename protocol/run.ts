// run.*: a run's lifecycle. A run holds one or more strategy instances (one Marvin actor each) over one
// timeframe; a backtest replays [from, to] of stored candles, a live run follows the wall clock.
import * as v from 'valibot';
import { ErrorModel } from './errors.ts';
import { defineEvent } from './registry.ts';
import { TimeframeSchema } from './timeframes.ts';

const money = v.pipe(v.number(), v.finite(), v.minValue(0));
const Iso = v.pipe(v.string(), v.isoTimestamp('must be an ISO-8601 timestamp with a zone'));

export const ParamValue = v.union([v.number(), v.string(), v.boolean()]);
export type ParamValue = v.InferOutput<typeof ParamValue>;

export const InstanceSpec = v.object({
  instance_id: v.string(),
  strategy: v.pipe(v.string(), v.minLength(1)),
  params: v.record(v.string(), ParamValue),
  symbols: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1)),
});
export type InstanceSpec = v.InferOutput<typeof InstanceSpec>;

/** How the simulated venue fills (DESIGN §7). */
export const FillSpec = v.object({
  /** Market orders: at the next bar's open (default) or at the next bar's close. Never on the deciding bar. */
  model: v.picklist(['next_open', 'close']),
  slippage_bps: v.pipe(v.number(), v.finite(), v.minValue(0)),
  commission: v.object({
    /** A fraction of notional (0.001 = 0.1 %). */
    rate: v.pipe(v.number(), v.finite(), v.minValue(0)),
    per_share: money,
    minimum: money,
  }),
  /** At most this share of a bar's volume fills per bar (partial fills); null: no cap. */
  volume_cap: v.nullable(v.pipe(v.number(), v.gtValue(0), v.maxValue(1))),
});
export type FillSpec = v.InferOutput<typeof FillSpec>;

export const RunSpec = v.object({
  run_id: v.string(),
  mode: v.picklist(['backtest', 'live']),
  name: v.nullable(v.string()),
  timeframe: TimeframeSchema,
  /** Backtests: the first and last bar start to replay (inclusive). Live: null. */
  from: v.nullable(Iso),
  to: v.nullable(Iso),
  /** Starting cash of each instance (each instance is its own account). */
  cash: v.pipe(v.number(), v.finite(), v.gtValue(0)),
  fill: FillSpec,
  instances: v.pipe(v.array(InstanceSpec), v.minLength(1)),
});
export type RunSpec = v.InferOutput<typeof RunSpec>;

export const RunCreated = defineEvent('run.Created', 'evt', v.object({ spec: RunSpec }));
export const RunStartRequested = defineEvent('run.StartRequested', 'evt', v.object({ run_id: v.string() }));
/** The run manager spawned the instances' actors; the clock starts ticking on it. Carries the whole spec. */
export const RunStarted = defineEvent('run.Started', 'evt', v.object({ spec: RunSpec, start_after: v.string() }));
export const InstanceStatus = v.object({ instance_id: v.string(), status: v.picklist(['completed', 'failed', 'stopped']), error: v.nullable(ErrorModel) });
export const RunCompleted = defineEvent('run.Completed', 'evt', v.object({ run_id: v.string(), instances: v.array(InstanceStatus) }));
export const RunFailed = defineEvent('run.Failed', 'evt', v.object({ run_id: v.string(), error: ErrorModel, instances: v.array(InstanceStatus) }));
export const RunStopRequested = defineEvent('run.StopRequested', 'evt', v.object({ run_id: v.string(), reason: v.nullable(v.string()) }));
export const RunStopped = defineEvent('run.Stopped', 'evt', v.object({ run_id: v.string(), instances: v.array(InstanceStatus) }));

/** A run's status, as the runs table and ui.RunStatus say it. */
export const RunStatus = v.picklist(['created', 'starting', 'running', 'stopping', 'completed', 'failed', 'stopped']);
export type RunStatus = v.InferOutput<typeof RunStatus>;

/** The status each run.* event announces (the router may ignore a request: see runtime/repos/run-log.ts). */
export const RUN_STATUS_AFTER: Readonly<Record<string, RunStatus>> = {
  'run.Created': 'created',
  'run.StartRequested': 'starting',
  'run.Started': 'running',
  'run.StopRequested': 'stopping',
  'run.Completed': 'completed',
  'run.Failed': 'failed',
  'run.Stopped': 'stopped',
};
export const TERMINAL_RUN_STATUS = new Set<RunStatus>(['completed', 'failed', 'stopped']);
