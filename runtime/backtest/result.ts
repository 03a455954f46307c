// A backtest's result as Weaver reports it (CLI --json, parity tests): the same shape whether it was
// folded from the memory kernel's events or read back from WallE's tables after a Postgres run.
import type { ErrorModel, InstanceSpec, TradeRecord } from '../../protocol/index.ts';

export interface OrderResult {
  order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  qty: number;
  limit_price: number | null;
  stop_price: number | null;
  status: string;
  filled_qty: number;
  avg_fill_price: number | null;
  decided_at: string;
  bar_index: number;
  reason: string | null;
}

export interface FillResult {
  fill_id: string;
  order_id: string;
  /** The bar the fill happened in (ISO start). */
  time: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  fee: number;
  bar_index: number;
}

export interface InstanceResult {
  instance_id: string;
  strategy: string;
  params: Record<string, string | number | boolean>;
  symbols: string[];
  status: string;
  error: ErrorModel | null;
  final_equity: number;
  cash: number;
  positions: { symbol: string; qty: number; avg_price: number; last_price: number }[];
  stats: Record<string, number | string | null>;
  equity: { sampling: string; t: number[]; e: number[] };
  orders: OrderResult[];
  fills: FillResult[];
  trades: TradeRecord[];
}

/** A run that has ended is completed, failed or stopped; one read back before then says where it is. */
export type ResultStatus = 'completed' | 'failed' | 'stopped' | 'created' | 'starting' | 'running' | 'stopping';

export interface BacktestResult {
  run_id: string;
  status: ResultStatus;
  error: ErrorModel | null;
  instances: InstanceResult[];
}

/** An instance's result before it has done anything: its starting cash, no orders, no statistics. */
export function emptyInstanceResult(instance: InstanceSpec, cash: number, status: string): InstanceResult {
  return {
    instance_id: instance.instance_id,
    strategy: instance.strategy,
    params: { ...instance.params },
    symbols: [...instance.symbols],
    status,
    error: null,
    final_equity: cash,
    cash,
    positions: [],
    stats: {},
    equity: { sampling: 'bar', t: [], e: [] },
    orders: [],
    fills: [],
    trades: [],
  };
}
