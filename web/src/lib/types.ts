// The shapes the gateway answers (see GET /openapi.json): only the fields the pages read.
import type { BacktestResult, InstanceResult } from '../../../runtime/backtest/result.ts';

export type { BacktestResult, InstanceResult };

export interface RunInstance {
  instance_id: string;
  strategy: string;
  params: Record<string, number | string | boolean>;
  symbols: string[];
  status?: string;
}

export interface Run {
  id: string;
  mode: string;
  status: string;
  name: string | null;
  timeframe: string;
  from: string | null;
  to: string | null;
  instances: RunInstance[];
  error: { code: string; message: string } | null;
  created_at: string | null;
  started_at: string | null;
  ended_at: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Order {
  order_id: string;
  run_id: string;
  instance_id: string;
  strategy: string | null;
  symbol: string;
  side: string;
  type: string;
  qty: number;
  limit_price: number | null;
  stop_price: number | null;
  status: string;
  filled_qty: number;
  avg_fill_price: number | null;
  reason: string | null;
  decided_at: string;
  created_at: string;
  updated_at: string;
}

export interface Fill {
  fill_id: string;
  order_id: string;
  run_id: string;
  instance_id: string;
  strategy: string | null;
  symbol: string;
  side: string;
  qty: number;
  price: number;
  fee: number;
  ts: string;
}

export interface Actor {
  id: string;
  kind: string;
  desired: string;
  state: string;
  restarts: number;
  last_error: { code?: string; message?: string } | null;
  lease_holder: string | null;
  fencing: string | null;
  offset: string | null;
  lag: number | null;
}

export interface StrategyParam {
  name: string;
  type: string;
  default: unknown;
  min?: number | null;
  max?: number | null;
  description?: string;
}

export interface Strategy {
  name: string;
  description: string;
  params: StrategyParam[];
}

export interface Candles {
  symbol: string;
  timeframe: string;
  bars: { t: string; o: number; h: number; l: number; c: number; v: number }[];
  next_from: string | null;
}
