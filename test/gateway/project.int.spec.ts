// The projection running as the gateway's consumer over a real log: run.*, orders.*, strategy.FetchWindow
// and actor.* events appended → the ui.* events the tail and the stream serve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorCrashed, ActorStarted, makeEvent, newId, OrdersAccepted, RunCompleted, RunCreated, RunStarted, RunStartRequested } from '../../protocol/index.ts';
import { eventually } from '../helpers/events.ts';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';
import { SseClient } from './sse-client.ts';
import { fetchWindowEvent, fillEvent, order, runSpec } from './source-events.ts';

let h: GatewayHarness;

beforeAll(async () => {
  h = await startGatewayHarness({ project: true });
});
afterAll(async () => {
  await h?.close();
});

interface WireEvent {
  cursor: string;
  type: string;
  run_id: string | null;
  payload: Record<string, unknown>;
}

async function tail(query: string): Promise<WireEvent[]> {
  const res = await h.get(`/events/tail?limit=1000&${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: WireEvent[] }).events;
}

/** The run's ui events once its last expected one has been projected. */
async function uiOfRun(runId: string, done: (e: WireEvent) => boolean): Promise<WireEvent[]> {
  return eventually(async () => {
    const events = await tail(`run_id=${runId}`);
    return events.some(done) ? events : undefined;
  }, 15_000, `the ui events of run ${runId}`);
}

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (ms: number) => ({ ts: new Date(T0 + ms).toISOString() });

describe('the projection consumer', () => {
  it('a backtest: its status sequence and throttled progress, none of its orders', async () => {
    const runId = newId();
    const sse = new SseClient(`${h.url}/events/stream?run_id=${runId}`);
    await sse.start();
    await h.log.publish([makeEvent(RunCreated, { spec: runSpec(runId) }, 'test', { run_id: runId, ...at(0) })]);
    await h.log.publish([makeEvent(RunStartRequested, { run_id: runId }, 'test', { run_id: runId, ...at(1) })]);
    await h.log.publish([makeEvent(RunStarted, { spec: runSpec(runId), start_after: '0.0' }, 'test', { run_id: runId, ...at(2) })]);
    // 30 windows 50 ms of event time apart, with orders and fills among them, in small transactions
    for (let i = 0; i < 30; i++) {
      await h.log.publish([fetchWindowEvent(runId, T0 + 10 + i * 50, i), makeEvent(OrdersAccepted, { order: order(runId, i) }, 'test', { run_id: runId }), fillEvent(runId, i, 0)]);
    }
    await h.log.publish([makeEvent(RunCompleted, { run_id: runId, instances: [{ instance_id: 'i1', status: 'completed', error: null }] }, 'test', { run_id: runId, ...at(3000) })]);

    const events = await uiOfRun(runId, (e) => e.type === 'ui.RunStatus' && e.payload.status === 'completed');
    const summary = events.map((e) => (e.type === 'ui.RunStatus' ? `${e.payload.status}` : e.type === 'ui.BacktestProgress' ? `progress ${e.payload.bar_index}` : e.type));
    // windows at 10, 60, …, 1460 ms: progress at 10, 260, 510, 760, 1010, 1260 → bars 0, 5, 10, 15, 20, 25
    expect(summary).toEqual(['created', 'starting', 'running', 'progress 0', 'progress 5', 'progress 10', 'progress 15', 'progress 20', 'progress 25', 'completed']);
    expect(events.every((e) => e.run_id === runId)).toBe(true);
    expect(events[0]!.payload).toEqual({ run_id: runId, mode: 'backtest', status: 'created' });
    // the stream says the same
    await sse.waitFor(events.length);
    await sse.close();
    expect(sse.events.map((e) => e.id)).toEqual(events.map((e) => e.cursor));
  });

  it('orders of a run not known as a backtest: ui.OrderStatus and ui.Fill, one for one', async () => {
    const runId = newId();
    await h.log.publish([makeEvent(OrdersAccepted, { order: order(runId, 1) }, 'test', { run_id: runId })]);
    await h.log.publish([fillEvent(runId, 1, 0)]);
    const events = await uiOfRun(runId, (e) => e.type === 'ui.OrderStatus' && e.payload.status === 'filled');
    expect(events.map((e) => [e.type, e.payload.status ?? e.payload.fill_id])).toEqual([
      ['ui.OrderStatus', 'accepted'],
      ['ui.Fill', `${runId}:i1:d1:f1`],
      ['ui.OrderStatus', 'filled'],
    ]);
    expect(events[0]!.payload).toEqual({ run_id: runId, instance_id: 'i1', order_id: `${runId}:i1:d1`, symbol: 'DEMO_ACME', side: 'sell', status: 'accepted' });
  });

  it('actor.* events: ui.ActorState', async () => {
    const id = `marvin:${newId().slice(-12)}`;
    await h.log.publish([
      makeEvent(ActorStarted, { actor_id: id, kind: 'marvin', supervisor_id: 's1', incarnation: 1, fencing: 'f1' }, 'supervisor'),
      makeEvent(ActorCrashed, { actor_id: id, kind: 'marvin', supervisor_id: 's1', error: { code: 'boom', message: 'it broke', details: null, correlation_id: null }, restarts: 1 }, 'supervisor'),
    ]);
    const states = await eventually(async () => {
      const mine = (await tail('types=ui.ActorState')).filter((e) => e.payload.actor_id === id);
      return mine.length === 2 ? mine : undefined;
    }, 15_000, 'two ui.ActorState events');
    expect(states.map((e) => [e.run_id, e.payload])).toEqual([
      [null, { actor_id: id, kind: 'marvin', state: 'running' }],
      [null, { actor_id: id, kind: 'marvin', state: 'crashed' }],
    ]);
  });
});
