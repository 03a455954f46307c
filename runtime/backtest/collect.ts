// Fold a run's events into its BacktestResult (the memory kernel's report; WallE writes the same facts
// into tables for Postgres runs). Orders by decision order, fills by bar then order.
import type { ErrorModel, Fill, LoggedEvent, OrderRequest, RunSpec, TradeRecord } from '../../protocol/index.ts';
import { emptyInstanceResult, type BacktestResult, type FillResult, type InstanceResult, type OrderResult } from './result.ts';

export interface Collector {
  add(event: LoggedEvent): void;
  /** The run settled (run.Completed / Failed / Stopped). */
  readonly settled: boolean;
  result(): BacktestResult;
}

export function createCollector(spec: RunSpec): Collector {
  const instances = new Map<string, InstanceResult>();
  for (const i of spec.instances) {
    instances.set(i.instance_id, emptyInstanceResult(i, spec.cash, 'running'));
  }
  const orders = new Map<string, OrderResult>();
  let status: BacktestResult['status'] | null = null;
  let error: ErrorModel | null = null;

  return {
    get settled() {
      return status !== null;
    },
    add(event) {
      if (event.run_id !== spec.run_id && (event.payload as { run_id?: string }).run_id !== spec.run_id) return;
      const p = event.payload as Record<string, unknown>;
      switch (event.type) {
        case 'strategy.PlaceRequest': {
          const o = p.order as OrderRequest;
          const r: OrderResult = { order_id: o.order_id, symbol: o.symbol, side: o.side, type: o.type, qty: o.qty, limit_price: o.limit_price, stop_price: o.stop_price, status: 'new', filled_qty: 0, avg_fill_price: null, decided_at: o.decided_at, bar_index: o.bar_index, reason: null };
          orders.set(o.order_id, r);
          instances.get(o.instance_id)?.orders.push(r);
          return;
        }
        case 'orders.Accepted':
          setOrder((p.order as OrderRequest).order_id, { status: 'accepted' });
          return;
        case 'orders.Rejected':
          setOrder(p.order_id as string, { status: 'rejected', reason: p.reason as string });
          return;
        case 'orders.Canceled':
          setOrder(p.order_id as string, { status: 'canceled', reason: p.reason as string });
          return;
        case 'orders.Filled': {
          const f = p.fill as Fill;
          const o = orders.get(f.order_id);
          if (o) {
            o.filled_qty += f.qty;
            o.avg_fill_price = p.avg_price as number;
            o.status = (p.remaining as number) > 0 ? 'partially_filled' : 'filled';
          }
          const r: FillResult = { fill_id: f.fill_id, order_id: f.order_id, time: f.ts, symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, fee: f.fee, bar_index: f.bar_index };
          instances.get(f.instance_id)?.fills.push(r);
          return;
        }
        case 'backtest.Completed': {
          const i = instances.get(p.instance_id as string);
          if (!i) return;
          i.status = p.status as string;
          i.final_equity = p.final_equity as number;
          i.cash = p.cash as number;
          i.positions = p.positions as InstanceResult['positions'];
          i.stats = p.stats as InstanceResult['stats'];
          i.equity = p.equity as InstanceResult['equity'];
          return;
        }
        case 'backtest.Trades':
          instances.get(p.instance_id as string)?.trades.push(...(p.trades as TradeRecord[]));
          return;
        case 'strategy.Finished': {
          const i = instances.get(p.instance_id as string);
          if (i && p.error) i.error = p.error as ErrorModel;
          return;
        }
        case 'run.Completed':
        case 'run.Failed':
        case 'run.Stopped':
          status = event.type === 'run.Completed' ? 'completed' : event.type === 'run.Failed' ? 'failed' : 'stopped';
          error = (p.error as ErrorModel | undefined) ?? null;
          for (const s of p.instances as { instance_id: string; status: string; error: ErrorModel | null }[]) {
            const i = instances.get(s.instance_id);
            if (i) {
              i.status = s.status;
              i.error ??= s.error;
            }
          }
          return;
      }
    },
    result() {
      if (status === null) throw new Error(`run ${spec.run_id} has not settled`);
      return { run_id: spec.run_id, status, error, instances: [...instances.values()] };
    },
  };

  function setOrder(orderId: string, change: Partial<OrderResult>): void {
    const o = orders.get(orderId);
    if (o) Object.assign(o, change);
  }
}

/** The types a collector needs. */
export const COLLECTED_TYPES = ['strategy.PlaceRequest', 'strategy.Finished', 'orders.*', 'backtest.Completed', 'backtest.Trades', 'run.Completed', 'run.Failed', 'run.Stopped'] as const;
