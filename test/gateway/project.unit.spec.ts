// project() on its own: run.* → ui.RunStatus, a backtest's orders not projected but its progress at most
// once per 250 ms of event time per run, other runs' orders one for one (ui.OrderStatus, ui.Fill),
// actor.* → ui.ActorState; every ui event valid, caused by its source, and the state a plain JSON value.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  ActorCrashed,
  ActorFailed,
  ActorRestarted,
  ActorStarted,
  ActorStopped,
  makeEvent,
  newId,
  OrdersAccepted,
  OrdersCanceled,
  OrdersFilled,
  OrdersMatched,
  OrdersRejected,
  RunCompleted,
  RunCreated,
  RunFailed,
  RunStartRequested,
  RunStarted,
  RunStopped,
  RunStopRequested,
  StrategyFetchWindow,
  validateEnvelope,
  type Envelope,
  type EventDefinition,
  type LoggedEvent,
  type PayloadOf,
} from '../../protocol/index.ts';
import { initialProjection, PROGRESS_EVERY_MS, PROJECTED_TYPES, project, type ProjectionState } from '../../actors/gateway/project.ts';
import { fetchWindowEvent, fillEvent, order, runSpec } from './source-events.ts';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
let position = 0n;

function logged<D extends EventDefinition>(def: D, payload: PayloadOf<D>, atMs = T0, runId: string | null = null): LoggedEvent {
  const env = makeEvent(def, payload, 'test', { run_id: runId, ts: new Date(atMs).toISOString() });
  expect(validateEnvelope(env).ok, `${def.type} fixture is valid`).toBe(true);
  return { ...env, cursor: { tx: 100n, position: ++position } };
}

const spec = runSpec;

/** As read from the log: the envelope and a cursor. */
const asLogged = (env: Envelope): LoggedEvent => ({ ...env, cursor: { tx: 100n, position: ++position } });
const fill = (runId: string, n: number, remaining: number) => asLogged(fillEvent(runId, n, remaining));
const fetchWindow = (runId: string, atMs: number, barIndex: number) => asLogged(fetchWindowEvent(runId, atMs, barIndex));

const lifecycle = { supervisor_id: 'sup-1' };
const anError = { code: 'boom', message: 'it broke', details: null, correlation_id: null };

/** Project events in order and check every ui event is valid, caused by its source and produced by the gateway. */
function run(events: LoggedEvent[], state: ProjectionState = initialProjection()): Envelope[] {
  const out: Envelope[] = [];
  for (const e of events) {
    for (const u of project(e, state)) {
      expect(u.type.startsWith('ui.')).toBe(true);
      const valid = validateEnvelope(u);
      expect(valid.ok, JSON.stringify(valid)).toBe(true);
      expect(u.producer).toBe('gateway');
      expect(u.causation_id).toBe(e.id);
      out.push(u);
    }
  }
  return out;
}

const brief = (events: Envelope[]) => events.map((e) => ({ type: e.type, run_id: e.run_id, payload: e.payload }));

describe('runs', () => {
  it('run.Created / StartRequested / Started / Completed → ui.RunStatus created, starting, running, completed', () => {
    const runId = newId();
    const state = initialProjection();
    const out = run(
      [
        logged(RunCreated, { spec: spec(runId) }, T0, runId),
        logged(RunStartRequested, { run_id: runId }, T0 + 1, runId),
        logged(RunStarted, { spec: spec(runId), start_after: '0.0' }, T0 + 2, runId),
        logged(RunCompleted, { run_id: runId, instances: [{ instance_id: 'i1', status: 'completed', error: null }] }, T0 + 3, runId),
      ],
      state,
    );
    expect(brief(out)).toEqual(
      (['created', 'starting', 'running', 'completed'] as const).map((status) => ({ type: 'ui.RunStatus', run_id: runId, payload: { run_id: runId, mode: 'backtest', status } })),
    );
    expect(state.backtests).toEqual({}); // settled: forgotten
  });

  it('stopping, stopped and failed too; a live run says live where the event tells', () => {
    const a = newId();
    const b = newId();
    const out = run([
      logged(RunCreated, { spec: spec(a, 'live') }),
      logged(RunStopRequested, { run_id: a, reason: 'user' }),
      logged(RunStopped, { run_id: a, instances: [] }),
      logged(RunCreated, { spec: spec(b) }),
      logged(RunFailed, { run_id: b, error: anError, instances: [] }),
    ]);
    expect(out.map((e) => [e.run_id, (e.payload as { mode: string | null }).mode, (e.payload as { status: string }).status])).toEqual([
      [a, 'live', 'created'],
      [a, null, 'stopping'],
      [a, null, 'stopped'],
      [b, 'backtest', 'created'],
      [b, 'backtest', 'failed'],
    ]);
  });

  it('events it does not map project nothing', () => {
    expect(run([logged(OrdersMatched, { instance_id: 'i1', run_id: newId(), bar_index: 3, ts: '2025-01-01T00:00:00.000Z' })])).toEqual([]);
  });
});

describe('a backtest', () => {
  it('its orders and fills are not projected', () => {
    const runId = newId();
    const state = initialProjection();
    run([logged(RunCreated, { spec: spec(runId) }), logged(RunStartRequested, { run_id: runId })], state);
    const out = run(
      [
        logged(OrdersAccepted, { order: order(runId, 1) }),
        fill(runId, 1, 0),
        logged(OrdersRejected, { order_id: 'x', instance_id: 'i1', run_id: runId, reason: 'no cash', order: order(runId, 2) }),
        logged(OrdersCanceled, { order_id: 'y', instance_id: 'i1', run_id: runId, reason: 'the run ended', filled_qty: 0 }),
      ],
      state,
    );
    expect(out).toEqual([]);
  });

  it('a backtest known only from run.Started is a backtest too', () => {
    const runId = newId();
    const state = initialProjection();
    run([logged(RunStarted, { spec: spec(runId), start_after: '0.0' })], state);
    expect(run([logged(OrdersAccepted, { order: order(runId, 1) })], state)).toEqual([]);
  });

  it('its progress: the first, then at most one per 250 ms of event time, per run', () => {
    expect(PROGRESS_EVERY_MS).toBe(250);
    const a = newId();
    const b = newId();
    const state = initialProjection();
    run([logged(RunCreated, { spec: spec(a) }), logged(RunCreated, { spec: spec(b) })], state);
    const offsets = [0, 10, 100, 249, 250, 251, 400, 499, 500, 900, 5000, 5001];
    const events = offsets.flatMap((ms, i) => [fetchWindow(a, T0 + ms, i * 10), fetchWindow(b, T0 + ms + 5, i * 10)]);
    const out = run(events, state);
    const of = (runId: string) => out.filter((e) => e.run_id === runId).map((e) => e.payload as { bar_index: number; at: string; instance_id: string; run_id: string });
    // projected at 0, 250, 500, 900, 5000 ms
    expect(of(a).map((p) => p.bar_index)).toEqual([0, 40, 80, 90, 100]);
    expect(of(b).map((p) => p.bar_index)).toEqual([0, 40, 80, 90, 100]);
    expect(of(a)[1]).toEqual({ run_id: a, instance_id: 'i1', bar_index: 40, at: '2025-01-01T00:40:00.000Z' });
    expect(out.every((e) => e.type === 'ui.BacktestProgress')).toBe(true);
    // between two projected ones there are always at least 250 ms of event time
    const times = events.filter((e) => e.run_id === a).map((e) => Date.parse(e.ts));
    const picked = of(a).map((p) => times[p.bar_index / 10]!);
    for (let i = 1; i < picked.length; i++) expect(picked[i]! - picked[i - 1]!).toBeGreaterThanOrEqual(250);
  });

  it('no progress for a run that is not a known, unsettled backtest', () => {
    const live = newId();
    const done = newId();
    const state = initialProjection();
    run([logged(RunCreated, { spec: spec(live, 'live') }), logged(RunCreated, { spec: spec(done) }), logged(RunCompleted, { run_id: done, instances: [] })], state);
    expect(run([fetchWindow(live, T0, 0), fetchWindow(done, T0, 0), fetchWindow(newId(), T0, 0)], state)).toEqual([]);
  });
});

describe('other runs', () => {
  it('orders of a run not known as a backtest are projected one for one', () => {
    const runId = newId();
    const out = run([
      logged(OrdersAccepted, { order: order(runId, 2) }),
      fill(runId, 2, 3),
      fill(runId, 2, 0),
      logged(OrdersRejected, { order_id: 'r1', instance_id: 'i1', run_id: runId, reason: 'no cash', order: null }),
      logged(OrdersRejected, { order_id: 'r2', instance_id: 'i1', run_id: runId, reason: 'no cash', order: order(runId, 5) }),
      logged(OrdersCanceled, { order_id: 'c1', instance_id: 'i1', run_id: runId, reason: 'user', filled_qty: 0 }),
    ]);
    const keys = { run_id: runId, instance_id: 'i1', symbol: 'DEMO_ACME' };
    expect(brief(out)).toEqual([
      { type: 'ui.OrderStatus', run_id: runId, payload: { ...keys, order_id: `${runId}:i1:d2`, side: 'buy', status: 'accepted' } },
      { type: 'ui.Fill', run_id: runId, payload: { ...keys, order_id: `${runId}:i1:d2`, side: 'buy', fill_id: `${runId}:i1:d2:f1` } },
      { type: 'ui.OrderStatus', run_id: runId, payload: { ...keys, order_id: `${runId}:i1:d2`, side: 'buy', status: 'partially_filled' } },
      { type: 'ui.Fill', run_id: runId, payload: { ...keys, order_id: `${runId}:i1:d2`, side: 'buy', fill_id: `${runId}:i1:d2:f1` } },
      { type: 'ui.OrderStatus', run_id: runId, payload: { ...keys, order_id: `${runId}:i1:d2`, side: 'buy', status: 'filled' } },
      { type: 'ui.OrderStatus', run_id: runId, payload: { run_id: runId, instance_id: 'i1', order_id: 'r1', symbol: null, side: null, status: 'rejected' } },
      { type: 'ui.OrderStatus', run_id: runId, payload: { ...keys, order_id: 'r2', side: 'sell', status: 'rejected' } },
      { type: 'ui.OrderStatus', run_id: runId, payload: { run_id: runId, instance_id: 'i1', order_id: 'c1', symbol: null, side: null, status: 'canceled' } },
    ]);
  });

  it('a live run\'s orders are projected', () => {
    const runId = newId();
    const state = initialProjection();
    run([logged(RunCreated, { spec: spec(runId, 'live') })], state);
    expect(run([logged(OrdersAccepted, { order: order(runId, 1) })], state).map((e) => e.type)).toEqual(['ui.OrderStatus']);
  });
});

describe('actors', () => {
  it('actor.* → ui.ActorState with the actor id, kind and state, no run', () => {
    const out = run([
      logged(ActorStarted, { ...lifecycle, actor_id: 'greta', kind: 'greta', incarnation: 1, fencing: 'f' }),
      logged(ActorCrashed, { ...lifecycle, actor_id: 'marvin:r1', kind: 'marvin', error: anError, restarts: 1 }),
      logged(ActorRestarted, { ...lifecycle, actor_id: 'marvin:r1', kind: 'marvin', restarts: 1, backoff_ms: 100 }),
      logged(ActorFailed, { ...lifecycle, actor_id: 'marvin:r1', kind: 'marvin', error: anError, restarts: 6 }),
      logged(ActorStopped, { ...lifecycle, actor_id: 'greta', kind: 'greta', reason: 'command' }),
    ]);
    expect(brief(out)).toEqual([
      { type: 'ui.ActorState', run_id: null, payload: { actor_id: 'greta', kind: 'greta', state: 'running' } },
      { type: 'ui.ActorState', run_id: null, payload: { actor_id: 'marvin:r1', kind: 'marvin', state: 'crashed' } },
      { type: 'ui.ActorState', run_id: null, payload: { actor_id: 'marvin:r1', kind: 'marvin', state: 'restarting' } },
      { type: 'ui.ActorState', run_id: null, payload: { actor_id: 'marvin:r1', kind: 'marvin', state: 'failed' } },
      { type: 'ui.ActorState', run_id: null, payload: { actor_id: 'greta', kind: 'greta', state: 'stopped' } },
    ]);
  });
});

describe('the projection as a whole', () => {
  function story(runId: string, live: string): LoggedEvent[] {
    return [
      logged(RunCreated, { spec: spec(runId) }, T0),
      logged(RunStarted, { spec: spec(runId), start_after: '0.0' }, T0 + 1),
      ...Array.from({ length: 40 }, (_, i) => fetchWindow(runId, T0 + 2 + i * 37, i)),
      logged(OrdersAccepted, { order: order(runId, 1) }),
      logged(RunCreated, { spec: spec(live, 'live') }, T0 + 5),
      logged(OrdersAccepted, { order: order(live, 1) }),
      fill(live, 1, 0),
      logged(RunCompleted, { run_id: runId, instances: [] }, T0 + 2000),
    ];
  }

  it('is deterministic, and its state survives a JSON snapshot at any point', () => {
    const runId = newId();
    const live = newId();
    const events = story(runId, live);
    const once = brief(run(events));
    expect(brief(run(events))).toEqual(once);
    for (const cut of [1, 7, 20, events.length - 2]) {
      const state = initialProjection();
      const head = run(events.slice(0, cut), state);
      const restored = JSON.parse(JSON.stringify(state)) as ProjectionState;
      expect(brief([...head, ...run(events.slice(cut), restored)])).toEqual(once);
    }
    // 40 windows over 1.4 s of event time: 6 progress events, not 40
    expect(once.filter((e) => e.type === 'ui.BacktestProgress')).toHaveLength(6);
  });

  it('subscribes to every type it projects', () => {
    const matches = (type: string) => PROJECTED_TYPES.some((p) => (p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : type === p));
    for (const def of [RunCreated, RunStartRequested, RunStarted, RunStopRequested, RunCompleted, RunFailed, RunStopped, OrdersAccepted, OrdersRejected, OrdersFilled, OrdersCanceled, ActorStarted, ActorCrashed, ActorRestarted, ActorFailed, ActorStopped, StrategyFetchWindow]) {
      expect(matches(def.type), def.type).toBe(true);
    }
    expect(PROJECTED_TYPES.some((p) => p.startsWith('ui.'))).toBe(false); // never its own output
    expect(v.is(v.array(v.string()), PROJECTED_TYPES)).toBe(true);
  });
});
