// WallE against real Postgres: the events of a run, published to the log and consumed by WallE's handler,
// become the rows of runs, strategy_instances, orders, fills, decisions, backtests and trades; the same
// events again (the same ids, and the same facts under new ids) change nothing.
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWalleHandler, initialWalleState, WALLE_TYPES } from '../../actors/walle/handler.ts';
import {
  BacktestCompleted,
  BacktestTrades,
  makeEvent,
  newId,
  OrdersAccepted,
  OrdersCanceled,
  OrdersFilled,
  OrdersRejected,
  RunCreated,
  RunFailed,
  RunStarted,
  RunStopped,
  RunStopRequested,
  StrategyDecisionMade,
  StrategyFinished,
  StrategyPlaceRequest,
  type Envelope,
  type ErrorModel,
  type EventDefinition,
  type OrderRequest,
  type PayloadOf,
  type RunSpec,
} from '../../protocol/index.ts';
import { createPostgresEventLog, type PostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import type { Consumer } from '../../runtime/eventlog/types.ts';
import { eventually } from '../helpers/events.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

let pg: TestPostgres;
let log: PostgresEventLog;
let walle: Consumer;

beforeAll(async () => {
  pg = await startTestPostgres();
  log = await createPostgresEventLog({ url: pg.url });
  walle = log.subscribe({ name: 'walle', types: WALLE_TYPES, initialState: initialWalleState, pollIntervalMs: 20 }, createWalleHandler());
  await walle.ready;
});
afterAll(async () => {
  await walle?.stop();
  await log?.close();
  await pg?.stop();
});

/** Publish and wait until WallE has committed past every event in the log. */
async function publishAndSettle(events: readonly Envelope[]): Promise<void> {
  await log.publish(events);
  await eventually(async () => (await log.lag('walle')).behind === 0, 15_000, 'WallE to consume every event');
}

const rows = (query: ReturnType<typeof sql.unsafe>) => log.pool.any(query);

function spec(runId: string, instances: string[], mode: 'backtest' | 'live' = 'backtest'): RunSpec {
  return {
    run_id: runId,
    mode,
    name: 'two smas',
    timeframe: '1m',
    from: mode === 'backtest' ? '2024-01-02T00:00:00.000Z' : null,
    to: mode === 'backtest' ? '2024-01-03T00:00:00.000Z' : null,
    cash: 10_000,
    fill: { model: 'next_open', slippage_bps: 1, commission: { rate: 0.001, per_share: 0, minimum: 0 }, volume_cap: null },
    instances: instances.map((id, i) => ({ instance_id: id, strategy: i === 0 ? 'sma_cross' : 'breakout', params: { fast: 5 + i, slow: 20, long_only: true }, symbols: i === 0 ? ['ACME'] : ['GLOBEX', 'INITECH'] })),
  };
}

function order(runId: string, instanceId: string, n: number, over: Partial<OrderRequest> = {}): OrderRequest {
  return {
    order_id: `${instanceId}:o${n}`,
    run_id: runId,
    instance_id: instanceId,
    symbol: 'ACME',
    side: 'buy',
    qty: 10,
    type: 'market',
    limit_price: null,
    stop_price: null,
    decided_at: `2024-01-02T00:0${n}:00.000Z`,
    bar_index: n,
    ...over,
  };
}

describe('WallE writes the business tables from the log', () => {
  const runId = newId();
  const a = newId(); // completes, with fills and trades
  const b = newId(); // fails mid-run
  const runSpec = spec(runId, [a, b]);
  const boom: ErrorModel = { code: 'strategy_threw', message: 'breakout: bar 7: cannot divide by a zero range', details: { bar_index: 7 }, correlation_id: null };
  const runError: ErrorModel = { code: 'strategy_failed', message: `1 of 2 strategy instance(s) failed: ${b}: ${boom.message}`, details: { failed: [b] }, correlation_id: null };
  const a1 = order(runId, a, 1);
  const b1 = order(runId, b, 2, { symbol: 'GLOBEX', side: 'sell', type: 'limit', limit_price: 55.25, qty: 3 });
  const b2 = order(runId, b, 3, { symbol: 'INITECH', qty: 1_000_000 });
  const b3 = order(runId, b, 4, { symbol: 'NOT_MINE', qty: 1 });
  const fill = (n: number, qty: number, price: number) => ({ fill_id: `${a1.order_id}:f${n}`, order_id: a1.order_id, run_id: runId, instance_id: a, symbol: 'ACME', side: 'buy' as const, qty, price, fee: 0.1, ts: `2024-01-02T00:0${1 + n}:00.000Z`, bar_index: 1 + n });
  const trades: PayloadOf<typeof BacktestTrades>['trades'] = [
    { seq: 0, symbol: 'ACME', side: 'long', entry_ts: Date.parse('2024-01-02T00:02:00Z'), exit_ts: Date.parse('2024-01-02T01:00:00Z'), entry_price: 100.8, exit_price: 102.3, qty: 10, pnl: 14.7, fees: 0.3 },
    { seq: 1, symbol: 'ACME', side: 'short', entry_ts: Date.parse('2024-01-02T02:00:00Z'), exit_ts: Date.parse('2024-01-02T03:30:00Z'), entry_price: 103, exit_price: 101.5, qty: 5, pnl: 7.1, fees: 0.4 },
    { seq: 2, symbol: 'ACME', side: 'long', entry_ts: Date.parse('2024-01-02T05:00:00Z'), exit_ts: null, entry_price: 99.99, exit_price: null, qty: 2, pnl: -0.5, fees: 0.2 },
  ];

  // Each entry: a definition and a payload, so the same facts can be sent again under new event ids.
  type Fact = [EventDefinition, unknown, string?];
  const untilFailure: Fact[] = [
    [RunCreated, { spec: runSpec }],
    [RunStarted, { spec: runSpec, start_after: '5.1' }, '2024-05-01T10:00:00.000Z'],
    [StrategyPlaceRequest, { order: a1 }],
    [OrdersAccepted, { order: a1 }],
    [OrdersFilled, { fill: fill(1, 4, 100.5), remaining: 6, avg_price: 100.5 }],
    [OrdersFilled, { fill: fill(2, 6, 101), remaining: 0, avg_price: 100.8 }],
    [StrategyDecisionMade, { decision_id: `${a}:d1`, run_id: runId, instance_id: a, ts: '2024-01-02T00:01:00.000Z', bar_index: 1, action: 'buy', reason: 'fast SMA crossed above slow', order_id: a1.order_id, details: { fast: 101.2, slow: 100.9 } }],
    [StrategyPlaceRequest, { order: b1 }],
    [OrdersAccepted, { order: b1 }],
    [OrdersCanceled, { order_id: b1.order_id, instance_id: b, run_id: runId, reason: 'canceled by the strategy', filled_qty: 0 }],
    [StrategyPlaceRequest, { order: b2 }],
    [OrdersRejected, { order_id: b2.order_id, instance_id: b, run_id: runId, reason: 'insufficient cash: needs 55,000,000.00, has 10,000.00', order: b2 }],
    // Refused before its request was recorded: the event carries the order, so the row is written.
    [OrdersRejected, { order_id: b3.order_id, instance_id: b, run_id: runId, reason: 'NOT_MINE is not a symbol of this instance (GLOBEX, INITECH)', order: b3 }],
    // An unknown order without its request: nothing to write (and nothing to break).
    [OrdersRejected, { order_id: `${b}:o99`, instance_id: b, run_id: runId, reason: 'unknown order', order: null }],
    [StrategyFinished, { run_id: runId, instance_id: b, status: 'failed', bars: 7, until: null, error: boom }],
  ];
  const toTheEnd: Fact[] = [
    [StrategyFinished, { run_id: runId, instance_id: a, status: 'completed', bars: 1440, until: null, error: null }],
    [BacktestCompleted, { run_id: runId, instance_id: a, status: 'completed', final_equity: 10_021.8, cash: 9_821.82, positions: [{ symbol: 'ACME', qty: 2, avg_price: 99.99, last_price: 99.74 }], stats: { total_return: 0.00218, sharpe: 1.37, profit_factor: 'inf', cagr: null }, equity: { sampling: 'bar', t: [Date.parse('2024-01-02T00:00:00Z'), Date.parse('2024-01-02T00:01:00Z')], e: [10_000, 10_021.8] }, fills: 2, orders: 1, trades: 3 }],
    [BacktestTrades, { run_id: runId, instance_id: a, trades }],
    [BacktestCompleted, { run_id: runId, instance_id: b, status: 'failed', final_equity: 10_000, cash: 10_000, positions: [], stats: { total_return: 0 }, equity: { sampling: 'bar', t: [], e: [] }, fills: 0, orders: 2, trades: 0 }],
    [RunFailed, { run_id: runId, error: runError, instances: [{ instance_id: a, status: 'completed', error: null }, { instance_id: b, status: 'failed', error: boom }] }, '2024-05-01T10:05:00.000Z'],
  ];
  const toEvents = (facts: Fact[]) => facts.map(([def, payload, ts]) => makeEvent(def, payload as never, 'test', { run_id: runId, ts }));
  const firstEvents = toEvents(untilFailure);
  const lastEvents = toEvents(toTheEnd);

  it('shows a failed instance as failed while its run still runs', async () => {
    await publishAndSettle(firstEvents);
    expect(await rows(sql.unsafe`SELECT status, started_at, ended_at FROM runs WHERE id = ${runId}`)).toEqual([
      { status: 'running', started_at: Date.parse('2024-05-01T10:00:00Z'), ended_at: null },
    ]);
    const instances = await rows(sql.unsafe`SELECT id, status, error FROM strategy_instances WHERE run_id = ${runId} ORDER BY strategy DESC`);
    expect(instances).toEqual([
      { id: a, status: 'running', error: null },
      { id: b, status: 'failed', error: boom },
    ]);
  });

  it('records the run, its instances, orders, fills, decisions and results', async () => {
    await publishAndSettle(lastEvents);
    expect(walle.stats().deadLetters).toBe(0);
    expect(await rows(sql.unsafe`SELECT count(*)::int AS n FROM dead_letters`)).toEqual([{ n: 0 }]);

    const [run] = await rows(sql.unsafe`SELECT mode, status, spec, error, started_at, ended_at FROM runs WHERE id = ${runId}`);
    expect(run).toEqual({ mode: 'backtest', status: 'failed', spec: runSpec, error: runError, started_at: Date.parse('2024-05-01T10:00:00Z'), ended_at: Date.parse('2024-05-01T10:05:00Z') });

    expect(await rows(sql.unsafe`SELECT id, strategy, params, symbols, status, error FROM strategy_instances WHERE run_id = ${runId} ORDER BY strategy DESC`)).toEqual([
      { id: a, strategy: 'sma_cross', params: { fast: 5, slow: 20, long_only: true }, symbols: ['ACME'], status: 'completed', error: null },
      { id: b, strategy: 'breakout', params: { fast: 6, slow: 20, long_only: true }, symbols: ['GLOBEX', 'INITECH'], status: 'failed', error: boom },
    ]);

    expect(
      await rows(sql.unsafe`
        SELECT id, instance_id, symbol, side, type, qty::text, limit_price::text, status, filled_qty::text, avg_fill_price::text, reason, decided_at, bar_index
        FROM orders WHERE run_id = ${runId} ORDER BY id`),
    ).toEqual([
      { id: a1.order_id, instance_id: a, symbol: 'ACME', side: 'buy', type: 'market', qty: '10', limit_price: null, status: 'filled', filled_qty: '10', avg_fill_price: '100.8', reason: null, decided_at: Date.parse(a1.decided_at), bar_index: 1 },
      { id: b1.order_id, instance_id: b, symbol: 'GLOBEX', side: 'sell', type: 'limit', qty: '3', limit_price: '55.25', status: 'canceled', filled_qty: '0', avg_fill_price: null, reason: 'canceled by the strategy', decided_at: Date.parse(b1.decided_at), bar_index: 2 },
      { id: b2.order_id, instance_id: b, symbol: 'INITECH', side: 'buy', type: 'market', qty: '1000000', limit_price: null, status: 'rejected', filled_qty: '0', avg_fill_price: null, reason: 'insufficient cash: needs 55,000,000.00, has 10,000.00', decided_at: Date.parse(b2.decided_at), bar_index: 3 },
      { id: b3.order_id, instance_id: b, symbol: 'NOT_MINE', side: 'buy', type: 'market', qty: '1', limit_price: null, status: 'rejected', filled_qty: '0', avg_fill_price: null, reason: 'NOT_MINE is not a symbol of this instance (GLOBEX, INITECH)', decided_at: Date.parse(b3.decided_at), bar_index: 4 },
    ]);

    expect(await rows(sql.unsafe`SELECT id, order_id, instance_id, side, qty::text, price::text, fee::text, ts, bar_index FROM fills WHERE run_id = ${runId} ORDER BY ts`)).toEqual([
      { id: `${a1.order_id}:f1`, order_id: a1.order_id, instance_id: a, side: 'buy', qty: '4', price: '100.5', fee: '0.1', ts: Date.parse('2024-01-02T00:02:00Z'), bar_index: 2 },
      { id: `${a1.order_id}:f2`, order_id: a1.order_id, instance_id: a, side: 'buy', qty: '6', price: '101', fee: '0.1', ts: Date.parse('2024-01-02T00:03:00Z'), bar_index: 3 },
    ]);

    expect(await rows(sql.unsafe`SELECT id, instance_id, ts, bar_index, action, reason, details FROM decisions WHERE run_id = ${runId}`)).toEqual([
      { id: `${a}:d1`, instance_id: a, ts: Date.parse('2024-01-02T00:01:00Z'), bar_index: 1, action: 'buy', reason: 'fast SMA crossed above slow', details: { fast: 101.2, slow: 100.9 } },
    ]);

    const backtests = await rows(sql.unsafe`
      SELECT instance_id, status, final_equity::text, cash::text, stats, equity_curve, positions, fill_count, order_count, trade_count
      FROM backtests WHERE run_id = ${runId} ORDER BY trade_count DESC`);
    expect(backtests).toEqual([
      { instance_id: a, status: 'completed', final_equity: '10021.8', cash: '9821.82', stats: { total_return: 0.00218, sharpe: 1.37, profit_factor: 'inf', cagr: null }, equity_curve: { sampling: 'bar', t: [Date.parse('2024-01-02T00:00:00Z'), Date.parse('2024-01-02T00:01:00Z')], e: [10_000, 10_021.8] }, positions: [{ symbol: 'ACME', qty: 2, avg_price: 99.99, last_price: 99.74 }], fill_count: 2, order_count: 1, trade_count: 3 },
      { instance_id: b, status: 'failed', final_equity: '10000', cash: '10000', stats: { total_return: 0 }, equity_curve: { sampling: 'bar', t: [], e: [] }, positions: [], fill_count: 0, order_count: 2, trade_count: 0 },
    ]);

    expect(
      await rows(sql.unsafe`
        SELECT seq, symbol, side, entry_ts, exit_ts, entry_price::text, exit_price::text, qty::text, pnl::text, fees::text
        FROM trades WHERE instance_id = ${a} AND run_id = ${runId} ORDER BY seq`),
    ).toEqual(
      trades.map((t) => ({
        ...t,
        entry_price: String(t.entry_price),
        exit_price: t.exit_price === null ? null : String(t.exit_price),
        qty: String(t.qty),
        pnl: String(t.pnl),
        fees: String(t.fees),
      })),
    );
  });

  it('counts nothing twice (the same events again, the same facts under new event ids) and moves nothing backwards', async () => {
    const tables = ['runs', 'strategy_instances', 'orders', 'fills', 'decisions', 'backtests', 'trades'];
    // Every column but updated_at, as text, in a stable order.
    const snapshot = async () => {
      const out: Record<string, readonly unknown[]> = {};
      for (const t of tables) {
        out[t] = await rows(sql.unsafe`SELECT to_jsonb(x) - 'updated_at' AS row FROM ${sql.identifier([t])} x ORDER BY (to_jsonb(x) - 'updated_at')::text`);
      }
      return out;
    };
    const before = await snapshot();

    await publishAndSettle([...firstEvents, ...lastEvents]); // the same ids: the outbox drops them
    await publishAndSettle([...toEvents(untilFailure), ...toEvents(toTheEnd)]); // the same facts, new ids: WallE sees them all
    expect(walle.stats().deadLetters).toBe(0);
    expect(await snapshot()).toEqual(before);

    // Late and out-of-order facts do not move anything backwards.
    await publishAndSettle(
      toEvents([
        [RunStarted, { spec: runSpec, start_after: '5.1' }],
        [RunStopRequested, { run_id: runId, reason: 'too late' }],
        [StrategyFinished, { run_id: runId, instance_id: b, status: 'completed', bars: 8, until: null, error: null }],
        [OrdersAccepted, { order: a1 }],
        [OrdersCanceled, { order_id: a1.order_id, instance_id: a, run_id: runId, reason: 'too late', filled_qty: 10 }],
        [OrdersRejected, { order_id: b1.order_id, instance_id: b, run_id: runId, reason: 'too late', order: b1 }],
        [OrdersAccepted, { order: b2 }],
        [RunStopped, { run_id: runId, instances: [{ instance_id: a, status: 'stopped', error: null }, { instance_id: b, status: 'stopped', error: null }] }],
      ]),
    );
    expect(await snapshot()).toEqual(before);
    expect(await rows(sql.unsafe`SELECT filled_qty::text, status FROM orders WHERE id = ${a1.order_id}`)).toEqual([{ filled_qty: '10', status: 'filled' }]);
    expect(await rows(sql.unsafe`SELECT count(*)::int AS n FROM fills WHERE order_id = ${a1.order_id}`)).toEqual([{ n: 2 }]);
    expect(await rows(sql.unsafe`SELECT count(*)::int AS n FROM trades WHERE instance_id = ${a}`)).toEqual([{ n: 3 }]);
  });
});

describe('WallE on the other ends of a run', () => {
  it('stops a running run: stopping on the request, then stopped with each instance', async () => {
    const runId = newId();
    const [a, b] = [newId(), newId()];
    const s = spec(runId, [a, b]);
    const meta = { run_id: runId };
    await publishAndSettle([
      makeEvent(RunCreated, { spec: s }, 'test', meta),
      makeEvent(RunStarted, { spec: s, start_after: '1.1' }, 'test', meta),
      makeEvent(RunStopRequested, { run_id: runId, reason: 'the user pressed stop' }, 'test', meta),
    ]);
    expect(await rows(sql.unsafe`SELECT status, ended_at FROM runs WHERE id = ${runId}`)).toEqual([{ status: 'stopping', ended_at: null }]);

    await publishAndSettle([
      makeEvent(RunStopped, { run_id: runId, instances: [{ instance_id: a, status: 'stopped', error: null }, { instance_id: b, status: 'stopped', error: null }] }, 'test', { ...meta, ts: '2024-06-01T00:00:00.000Z' }),
      makeEvent(RunStopRequested, { run_id: runId, reason: 'pressed twice' }, 'test', meta), // too late: the run has ended
    ]);
    expect(await rows(sql.unsafe`SELECT status, error, ended_at FROM runs WHERE id = ${runId}`)).toEqual([{ status: 'stopped', error: null, ended_at: Date.parse('2024-06-01T00:00:00Z') }]);
    expect(await rows(sql.unsafe`SELECT DISTINCT status FROM strategy_instances WHERE run_id = ${runId}`)).toEqual([{ status: 'stopped' }]);
  });

  it('ends the instances a failed run does not list (a live run refused before it started)', async () => {
    const runId = newId();
    const s = spec(runId, [newId()], 'live');
    const error: ErrorModel = { code: 'live_unavailable', message: 'live runs need a live venue', correlation_id: null };
    await publishAndSettle([
      makeEvent(RunCreated, { spec: s }, 'test', { run_id: runId }),
      makeEvent(RunFailed, { run_id: runId, error, instances: [] }, 'test', { run_id: runId }),
    ]);
    expect(await rows(sql.unsafe`SELECT mode, status, error, started_at FROM runs WHERE id = ${runId}`)).toEqual([{ mode: 'live', status: 'failed', error, started_at: null }]);
    expect(await rows(sql.unsafe`SELECT status, error FROM strategy_instances WHERE run_id = ${runId}`)).toEqual([{ status: 'stopped', error: null }]);
  });

  it('refuses to run without Postgres, saying why', async () => {
    const event = { ...makeEvent(RunStopRequested, { run_id: newId(), reason: null }, 'test'), cursor: { tx: 1n, position: 1n } };
    await expect(createWalleHandler()(event, { db: null })).rejects.toThrow(/needs the Postgres event log/);
  });
});
