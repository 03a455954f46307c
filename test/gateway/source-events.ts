// Source events the gateway projects into ui.* events (run.*, orders.*, strategy.FetchWindow), valid by
// the registry, for the projection's unit and integration tests.
import { makeEvent, OrdersFilled, StrategyFetchWindow, type Envelope, type OrderRequest, type RunSpec } from '../../protocol/index.ts';

export function runSpec(runId: string, mode: 'backtest' | 'live' = 'backtest'): RunSpec {
  return {
    run_id: runId,
    mode,
    name: null,
    timeframe: '1m',
    from: mode === 'backtest' ? '2025-01-01T00:00:00.000Z' : null,
    to: mode === 'backtest' ? '2025-01-31T00:00:00.000Z' : null,
    cash: 10_000,
    fill: { model: 'next_open', slippage_bps: 0, commission: { rate: 0, per_share: 0, minimum: 0 }, volume_cap: null },
    instances: [{ instance_id: 'i1', strategy: 'sma_cross', params: {}, symbols: ['DEMO_ACME'] }],
  };
}

export function order(runId: string, n: number): OrderRequest {
  return {
    order_id: `${runId}:i1:d${n}`,
    run_id: runId,
    instance_id: 'i1',
    symbol: 'DEMO_ACME',
    side: n % 2 === 0 ? 'buy' : 'sell',
    qty: 1,
    type: 'market',
    limit_price: null,
    stop_price: null,
    decided_at: '2025-01-02T00:00:00.000Z',
    bar_index: n,
  };
}

/** A fill of order n (always a buy of 1 at 10); `remaining` > 0 is a partial fill. */
export function fillEvent(runId: string, n: number, remaining: number, ts?: string): Envelope {
  return makeEvent(
    OrdersFilled,
    {
      fill: { fill_id: `${runId}:i1:d${n}:f1`, order_id: `${runId}:i1:d${n}`, run_id: runId, instance_id: 'i1', symbol: 'DEMO_ACME', side: 'buy', qty: 1, price: 10, fee: 0, ts: '2025-01-02T00:01:00.000Z', bar_index: n + 1 },
      remaining,
      avg_price: 10,
    },
    'test',
    { run_id: runId, ...(ts ? { ts } : {}) },
  );
}

const FROM = Date.parse('2025-01-01T00:00:00Z');

/** Marvin asking for the window of bar `barIndex` at event time `atMs` (what progress is projected from). */
export function fetchWindowEvent(runId: string, atMs: number, barIndex: number): Envelope {
  return makeEvent(
    StrategyFetchWindow,
    { request_id: `r${barIndex}`, run_id: runId, instance_id: 'i1', symbols: ['DEMO_ACME'], timeframe: '1m', from: FROM + barIndex * 60_000, to: FROM + (barIndex + 9) * 60_000, bar_index: barIndex },
    'test',
    { run_id: runId, ts: new Date(atMs).toISOString() },
  );
}
