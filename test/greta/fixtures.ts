// Builders for Greta's unit tests: orders, bars and fill specs with defaults a test overrides.
import type { Bar } from '../../protocol/market.ts';
import type { OrderRequest } from '../../protocol/orders.ts';
import type { FillSpec } from '../../protocol/run.ts';

let nextId = 0;

export function order(fields: Partial<OrderRequest> = {}): OrderRequest {
  return {
    order_id: fields.order_id ?? `o${++nextId}`,
    run_id: 'run-1',
    instance_id: 'inst-1',
    symbol: 'AAPL',
    side: 'buy',
    qty: 10,
    type: 'market',
    limit_price: null,
    stop_price: null,
    decided_at: '2024-01-02T00:00:00.000Z',
    bar_index: 0,
    ...fields,
  };
}

/** A bar of AAPL at ts 0 unless told; [open, high, low, close]. */
export function bar(ohlc: readonly [number, number, number, number], fields: Partial<Bar> = {}): Bar {
  const [open, high, low, close] = ohlc;
  return { symbol: 'AAPL', ts: 0, open, high, low, close, volume: 1_000_000, ...fields };
}

export function spec(fields: Partial<FillSpec> = {}): FillSpec {
  return {
    model: 'next_open',
    slippage_bps: 0,
    commission: { rate: 0, per_share: 0, minimum: 0 },
    volume_cap: null,
    ...fields,
  };
}
