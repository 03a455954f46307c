// A run's BacktestResult read back from WallE's tables: the same shape the memory kernel folds from its
// events (runtime/backtest/result.ts), so the two can be compared field by field.
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { ErrorModel, TradeRecord } from '../../protocol/index.ts';
import type { BacktestResult, FillResult, InstanceResult, OrderResult } from '../backtest/result.ts';
import { getRun, listInstances } from './runs.ts';

const num = v.number();
const OrderRow = v.object({
  order_id: v.string(),
  instance_id: v.string(),
  symbol: v.string(),
  side: v.picklist(['buy', 'sell']),
  type: v.string(),
  qty: num,
  limit_price: v.nullable(num),
  stop_price: v.nullable(num),
  status: v.string(),
  filled_qty: num,
  avg_fill_price: v.nullable(num),
  decided_at: num,
  bar_index: num,
  reason: v.nullable(v.string()),
});
const FillRow = v.object({ fill_id: v.string(), order_id: v.string(), instance_id: v.string(), ts: num, symbol: v.string(), side: v.picklist(['buy', 'sell']), qty: num, price: num, fee: num, bar_index: num });
const BacktestRow = v.object({ instance_id: v.string(), status: v.string(), final_equity: num, cash: num, stats: v.unknown(), equity_curve: v.unknown(), positions: v.unknown() });
const TradeRow = v.object({
  instance_id: v.string(),
  seq: num,
  symbol: v.string(),
  side: v.picklist(['long', 'short']),
  entry_ts: num,
  exit_ts: v.nullable(num),
  entry_price: num,
  exit_price: v.nullable(num),
  qty: num,
  pnl: num,
  fees: num,
});

const iso = (ms: number) => new Date(ms).toISOString();

/** Null when the run does not exist. Instances without a backtests row yet report their starting cash. */
export async function readBacktestResult(db: CommonQueryMethods, runId: string): Promise<BacktestResult | null> {
  const run = await getRun(db, runId);
  if (!run) return null;
  const instances = await listInstances(db, runId);
  const [orders, fills, backtests, trades] = await Promise.all([
    db.any(sql.type(OrderRow)`
      SELECT id AS order_id, instance_id::text AS instance_id, symbol, side, type, qty, limit_price, stop_price, status, filled_qty, avg_fill_price, decided_at, bar_index, reason
      FROM orders WHERE run_id::text = ${runId} ORDER BY instance_id, bar_index, created_at, id`),
    db.any(sql.type(FillRow)`
      SELECT id AS fill_id, order_id, instance_id::text AS instance_id, ts, symbol, side, qty, price, fee, bar_index
      FROM fills WHERE run_id::text = ${runId} ORDER BY instance_id, bar_index, created_at, id`),
    db.any(sql.type(BacktestRow)`
      SELECT instance_id::text AS instance_id, status, final_equity, cash, stats, equity_curve, positions FROM backtests WHERE run_id::text = ${runId}`),
    db.any(sql.type(TradeRow)`
      SELECT instance_id::text AS instance_id, seq, symbol, side, (extract(epoch FROM entry_ts) * 1000)::float8 AS entry_ts,
        (extract(epoch FROM exit_ts) * 1000)::float8 AS exit_ts, entry_price, exit_price, qty, pnl, fees
      FROM trades WHERE run_id::text = ${runId} ORDER BY instance_id, seq`),
  ]);
  const result: InstanceResult[] = instances.map((i) => {
    const bt = backtests.find((b) => b.instance_id === i.id);
    const specInst = run.spec.instances.find((s) => s.instance_id === i.id);
    return {
      instance_id: i.id,
      strategy: i.strategy,
      params: (specInst?.params ?? i.params) as InstanceResult['params'],
      symbols: i.symbols,
      status: i.status,
      error: (i.error as ErrorModel | null) ?? null,
      final_equity: bt?.final_equity ?? run.spec.cash,
      cash: bt?.cash ?? run.spec.cash,
      positions: (bt?.positions as InstanceResult['positions']) ?? [],
      stats: (bt?.stats as InstanceResult['stats']) ?? {},
      equity: (bt?.equity_curve as InstanceResult['equity']) ?? { sampling: 'bar', t: [], e: [] },
      orders: orders
        .filter((o) => o.instance_id === i.id)
        .map((o): OrderResult => ({ ...without(o, 'instance_id'), decided_at: iso(o.decided_at) })),
      fills: fills
        .filter((f) => f.instance_id === i.id)
        .map((f): FillResult => ({ fill_id: f.fill_id, order_id: f.order_id, time: iso(f.ts), symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, fee: f.fee, bar_index: f.bar_index })),
      trades: trades.filter((t) => t.instance_id === i.id).map((t): TradeRecord => without(t, 'instance_id')),
    };
  });
  // A run not finished yet keeps its own status (running …) with the results written so far.
  return { run_id: runId, status: run.status as BacktestResult['status'], error: (run.error as ErrorModel | null) ?? null, instances: result };
}

function without<T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> {
  const { [key]: _drop, ...rest } = o;
  return rest;
}
