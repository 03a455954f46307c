// The StrategyContext a strategy is handed: one object per instance for every call (a bar per
// microsecond leaves no room for allocating one per bar); its methods read the call in progress —
// state, bar, time — set by enter(). Orders and decisions it emits get deterministic ids from the
// instance and its decision count, so a replay after a crash asks for exactly the same.
import {
  makeEvent,
  StrategyCancelRequest,
  StrategyDecisionMade,
  StrategyPlaceRequest,
  type Bar,
  type Envelope,
  type OrderRequest,
  type RunSpec,
} from '../../protocol/index.ts';
import { lastValues } from './history.ts';
import { initialMarvinState, type MarvinState } from './state.ts';
import type { OrderOptions, OrderView, Params, StrategyContext } from './strategy.ts';

export interface ContextSetup {
  readonly run: RunSpec;
  readonly instanceId: string;
  readonly symbols: readonly string[];
  readonly params: Params;
  readonly producer: string;
}

/** The call in progress. */
interface Call {
  st: MarvinState;
  emit: (e: Envelope) => void;
  k: number;
  ts: number | null;
  bars: (Bar | undefined)[] | undefined;
  /** The latest plot() values of this call (merged); attached to the decisions it makes. */
  plots: Record<string, number> | null;
}

const NO_ORDERS: readonly OrderView[] = Object.freeze([]);

export function createStrategyContext(setup: ContextSetup) {
  const { run, instanceId, symbols, params, producer } = setup;
  const runId = run.run_id;
  const primary = symbols[0]!;
  const meta = { run_id: runId };
  const call: Call = { st: initialMarvinState(), emit: () => {}, k: 0, ts: null, bars: undefined, plots: null };
  const clock = { now: 0, barIndex: 0, timeframe: run.timeframe, iso };

  function symbolIndex(s: string | undefined): number {
    if (s === undefined) return 0;
    const i = symbols.indexOf(s);
    if (i < 0) throw new Error(`symbol ${s} is not one of this instance's symbols (${symbols.join(', ')})`);
    return i;
  }
  function iso(): string {
    return new Date(call.ts ?? 0).toISOString();
  }
  function decide(action: string, reason: string, orderId: string | null, details: Record<string, unknown>): void {
    const { st, k } = call;
    const decisionId = `${instanceId}:d${st.seq}`;
    call.emit(makeEvent(StrategyDecisionMade, { decision_id: decisionId, run_id: runId, instance_id: instanceId, ts: iso(), bar_index: k, action, reason, order_id: orderId, details: call.plots ? { ...details, plots: { ...call.plots } } : details }, producer, meta));
  }
  function submit(side: 'buy' | 'sell', qty: number, o: (OrderOptions & { symbol?: string }) | undefined): string {
    const { st, k, ts } = call;
    if (ts === null) throw new Error(`${side}() may only be called from onBar or onOrderUpdate after a bar`);
    if (!(qty > 0) || !Number.isFinite(qty)) throw new Error(`${side}(${qty}): the quantity must be a positive number`);
    const symbol = symbols[symbolIndex(o?.symbol)]!;
    const type = o?.type ?? 'market';
    const order: OrderRequest = {
      order_id: `${instanceId}:o${st.seq}`,
      run_id: runId,
      instance_id: instanceId,
      symbol,
      side,
      qty,
      type,
      limit_price: type === 'limit' || type === 'stop_limit' ? (o?.limit ?? null) : null,
      stop_price: type === 'stop' || type === 'stop_limit' ? (o?.stop ?? null) : null,
      decided_at: iso(),
      bar_index: k,
    };
    if ((type === 'limit' || type === 'stop_limit') && !(order.limit_price! > 0)) throw new Error(`${side}(): a ${type} order needs options.limit > 0`);
    if ((type === 'stop' || type === 'stop_limit') && !(order.stop_price! > 0)) throw new Error(`${side}(): a ${type} order needs options.stop > 0`);
    call.emit(makeEvent(StrategyPlaceRequest, { order }, producer, meta));
    decide(side, o?.reason ?? `${side} ${qty} ${symbol} (${type})`, order.order_id, { qty, type, limit: order.limit_price, stop: order.stop_price });
    st.seq++;
    st.orders[order.order_id] = { order_id: order.order_id, symbol, side, type, qty, filled_qty: 0, limit_price: order.limit_price, stop_price: order.stop_price, status: 'new', bar_index: k };
    return order.order_id;
  }

  const context: StrategyContext = {
    clock,
    params,
    symbols,
    bar: (s) => call.bars?.[symbolIndex(s)],
    history: (field, n, s) => lastValues(call.st.history[symbols[symbolIndex(s)]!]!, field, n),
    position: (s) => call.st.positions[s ?? primary]?.qty ?? 0,
    avgPrice: (s) => call.st.positions[s ?? primary]?.avg_price ?? 0,
    get cash() {
      return call.st.cash;
    },
    openOrders(s) {
      const orders = call.st.orders;
      for (const _ in orders) return Object.values(orders).filter((o) => s === undefined || o.symbol === s);
      return NO_ORDERS;
    },
    buy: (qty, o) => submit('buy', qty, o),
    sell: (qty, o) => submit('sell', qty, o),
    cancel(orderId, reason) {
      const { st, k } = call;
      if (!st.orders[orderId]) return;
      call.emit(makeEvent(StrategyCancelRequest, { order_id: orderId, run_id: runId, instance_id: instanceId, bar_index: k, reason: reason ?? 'canceled by the strategy' }, producer, meta));
      decide('cancel', reason ?? 'canceled by the strategy', orderId, {});
      st.seq++;
    },
    plot(values) {
      // Kept by reference until a decision needs it: most bars decide nothing.
      call.plots = call.plots === null ? (values as Record<string, number>) : { ...call.plots, ...values };
    },
    note(action, reason, details) {
      decide(action, reason, null, { ...(details ?? {}) });
      call.st.seq++;
    },
  };

  return {
    /** Set the call in progress (bar k at ts, or ts null outside a bar) and hand out the context. */
    enter(st: MarvinState, emit: (e: Envelope) => void, k: number, ts: number | null, bars?: (Bar | undefined)[]): StrategyContext {
      call.st = st;
      call.emit = emit;
      call.k = k;
      call.ts = ts;
      call.bars = bars;
      call.plots = null;
      clock.now = ts ?? 0;
      clock.barIndex = k;
      return context;
    },
    /** The call is over: the bars of this tick are no longer reachable through the context. */
    leave(): void {
      call.bars = undefined;
    },
  };
}
