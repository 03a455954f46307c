// The router's handler (GLaDOS): run lifecycle and domain routing. On run.StartRequested it spawns one
// Marvin actor per strategy instance and announces run.Started (the clock starts on it); it routes each
// strategy.* request to the venue of the run's mode keeping corr_id and trace_id (causation_id: the
// request); it settles the run once every instance's results are in, and stops the Marvin actors.
import {
  ActorKill,
  ActorSpawn,
  formatCursor,
  makeEvent,
  RunCompleted,
  RunFailed,
  RunStarted,
  RunStopped,
  StrategyFinished,
  type ErrorModel,
  type LoggedEvent,
  type RunSpec,
} from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/eventlog/types.ts';
import { BACKTEST_ROUTES } from './routes.ts';
import { findRunOfInstance, instanceOfActor, marvinActorId, outcome, type InstanceState, type RouterState, type RunEntry } from './runs.ts';

export const ROUTER_TYPES = ['run.Created', 'run.StartRequested', 'run.StopRequested', 'strategy.*', 'backtest.Completed', 'actor.Failed'] as const;

export function createRouterHandler(producer: string) {
  return function handle(event: LoggedEvent, ctx: HandlerContext<RouterState>): void {
    const state = ctx.state;
    const p = event.payload as Record<string, unknown>;
    switch (event.type) {
      case 'run.Created': {
        const spec = p.spec as RunSpec;
        if (state.runs[spec.run_id]) return; // a run id is created once
        state.runs[spec.run_id] = {
          spec,
          status: 'created',
          instances: Object.fromEntries(spec.instances.map((i) => [i.instance_id, { status: 'running', finished: false, settled: false, error: null }])),
        };
        return;
      }
      case 'run.StartRequested': {
        const run = state.runs[p.run_id as string];
        if (!run || run.status !== 'created') return; // unknown, or already started: starting is idempotent
        if (run.spec.mode === 'live') {
          const error: ErrorModel = { code: 'live_unavailable', message: 'live runs need a live venue (Veda), which this version does not have yet; run a backtest', details: undefined, correlation_id: event.id };
          ctx.emit(makeEvent(RunFailed, { run_id: run.spec.run_id, error, instances: [] }, producer, {}, event));
          delete state.runs[run.spec.run_id];
          return;
        }
        const startAfter = formatCursor(event.cursor);
        for (const inst of run.spec.instances) {
          ctx.emit(makeEvent(ActorSpawn, { actor_id: marvinActorId(inst.instance_id), kind: 'marvin', config: { run: run.spec, instance_id: inst.instance_id, start_after: startAfter } }, producer, {}, event));
        }
        ctx.emit(makeEvent(RunStarted, { spec: run.spec, start_after: startAfter }, producer, {}, event));
        run.status = 'running';
        return;
      }
      case 'run.StopRequested': {
        const run = state.runs[p.run_id as string];
        if (run && run.status === 'running') run.status = 'stopping';
        return;
      }
      case 'backtest.Completed': {
        const found = findRunOfInstance(state, p.instance_id as string);
        if (!found) return;
        const inst = found[1].instances[p.instance_id as string]!;
        inst.settled = true;
        if (inst.status === 'running') inst.status = p.status as 'completed' | 'failed' | 'stopped';
        settle(found[0], found[1], event, ctx, producer, state);
        return;
      }
      case 'actor.Failed': {
        // The supervisor gave up on a Marvin actor: its instance has failed; finish it on its behalf.
        const instanceId = instanceOfActor(p.actor_id as string);
        const found = instanceId ? findRunOfInstance(state, instanceId) : null;
        if (!found || !instanceId || found[1].instances[instanceId]!.finished) return;
        const error = p.error as ErrorModel;
        ctx.emit(makeEvent(StrategyFinished, { run_id: found[0], instance_id: instanceId, status: 'failed', bars: 0, until: null, error }, producer, { run_id: found[0] }, event));
        return;
      }
      default:
        route(event, ctx, producer, state);
    }
  };
}

function route(event: LoggedEvent, ctx: HandlerContext<RouterState>, producer: string, state: RouterState): void {
  const p = event.payload as { run_id?: string; instance_id?: string; order?: { run_id: string; instance_id: string }; status?: string; error?: ErrorModel | null };
  const runId = p.run_id ?? p.order?.run_id;
  const run = runId ? state.runs[runId] : undefined;
  const def = BACKTEST_ROUTES[event.type];
  if (!run || !def || run.spec.mode !== 'backtest') return; // a settled run's stragglers, or a type nobody routes
  if (event.type === 'strategy.Finished') {
    const inst = run.instances[p.instance_id ?? ''];
    if (!inst || inst.finished) return; // finished once (a failed actor may also be finished by actor.Failed)
    inst.finished = true;
    inst.status = p.status as 'completed' | 'failed' | 'stopped';
    inst.error = p.error ?? null;
  }
  ctx.emit(makeEvent(def, event.payload as never, producer, { run_id: runId ?? null }, event));
}

function settle(runId: string, run: RunEntry, cause: LoggedEvent, ctx: HandlerContext<RouterState>, producer: string, state: RouterState): void {
  const result = outcome(run);
  if (!result) return;
  // In a stopped run, an instance that reached the (early) end of its ticks was stopped, not completed.
  const finishedAs = (s: InstanceState['status']) => (s === 'running' || (s === 'completed' && result === 'stopped') ? (result === 'stopped' ? 'stopped' : 'completed') : s);
  const instances = Object.entries(run.instances).map(([instance_id, i]) => ({ instance_id, status: finishedAs(i.status), error: i.error }));
  const meta = { run_id: runId };
  if (result === 'completed') ctx.emit(makeEvent(RunCompleted, { run_id: runId, instances }, producer, meta, cause));
  else if (result === 'stopped') ctx.emit(makeEvent(RunStopped, { run_id: runId, instances }, producer, meta, cause));
  else {
    const failed = instances.filter((i) => i.status === 'failed');
    const error: ErrorModel = {
      code: 'strategy_failed',
      message: `${failed.length} of ${instances.length} strategy instance(s) failed: ${failed.map((f) => `${f.instance_id}: ${f.error?.message ?? 'unknown error'}`).join('; ')}`,
      details: { failed: failed.map((f) => f.instance_id) },
      correlation_id: cause.id,
    };
    ctx.emit(makeEvent(RunFailed, { run_id: runId, error, instances }, producer, meta, cause));
  }
  for (const instanceId of Object.keys(run.instances)) ctx.emit(makeEvent(ActorKill, { actor_id: marvinActorId(instanceId) }, producer, meta, cause));
  delete state.runs[runId];
}
