// Marvin: one strategy instance. Mode-agnostic: it consumes clock ticks, data windows and order updates,
// calls the strategy, and emits strategy.* intents; it never reads the wall clock or the database.
//
// Per tick k (bar start ts): the bars of the instance's symbols at ts come from the window it asked for
// when the tick batch arrived (a strategy cannot see a bar before its tick). If orders are open, the
// venue must first say what bar k did to them: Marvin sends strategy.Advance(k) and waits for
// orders.Matched(k), the fills and cancels of bar k arriving before it (lockstep, only while orders are
// open). Then onBar(k); its orders are decided on bar k's close and fill from bar k+1 on.
import {
  emptyWindow,
  makeEvent,
  StrategyAdvance,
  StrategyFetchWindow,
  StrategyFinished,
  type Bar,
  type BarWindow,
  type Envelope,
  type ErrorModel,
  type Fill,
  type LoggedEvent,
  type OrderRequest,
  type RunSpec,
} from '../../protocol/index.ts';
import { createStrategyContext } from './context.ts';
import { newHistory, pushHistory } from './history.ts';
import { columnsOf, packTicks, unpackTicks, type Columns } from './packed.ts';
import type { MarvinState, PendingBatch } from './state.ts';
import type { OrderUpdate, OrderView, Params, StrategyContext, StrategyDefinition } from './strategy.ts';

export const MARVIN_TYPES = ['clock.Tick', 'data.WindowReady', 'data.WindowChunk', 'data.WindowComplete', 'orders.*', 'run.StopRequested'] as const;

export interface MarvinSetup {
  readonly run: RunSpec;
  readonly instanceId: string;
  readonly strategy: StrategyDefinition;
  readonly params: Params;
  readonly producer: string;
}

/** Batches whose windows are asked for ahead of use: the current one and the next. */
const PREFETCH = 2;

export function createMarvin(setup: MarvinSetup) {
  const { run, instanceId, strategy, params, producer } = setup;
  const inst = run.instances.find((i) => i.instance_id === instanceId);
  if (!inst) throw new Error(`run ${run.run_id} has no instance ${instanceId}`);
  const symbols = inst.symbols;
  const runId = run.run_id;
  const historyCap = Math.max(1, strategy.history?.(params) ?? 1);
  const meta = { run_id: runId };
  /** Unpacked tick times, by the batch's first bar index (rebuilt from the state after a restart). */
  const ticks = new Map<number, Float64Array>();
  const ticksOf = (b: PendingBatch): Float64Array => {
    let t = ticks.get(b.bar_index);
    if (!t) ticks.set(b.bar_index, (t = unpackTicks(b.ts)));
    return t;
  };
  /**
   * The bars of the batches, by first bar index. A cache, not state: bars are a read of stored data, so
   * they stay out of the snapshot written with every batch (a strategy waiting on its orders commits once
   * per bar), and after a restart a batch whose bars were lost is simply asked for again.
   */
  const windows = new Map<number, Columns>();
  /** The data.WindowChunk parts received so far, by batch (a cache as well). */
  const parts = new Map<number, BarWindow[]>();

  const strategyContext = createStrategyContext({ run, instanceId, symbols, params, producer });

  return function handle(event: LoggedEvent, st: MarvinState, emit: (e: Envelope) => void): void {
    if (st.phase === 'done') return;
    const p = event.payload as Record<string, unknown>;
    switch (event.type) {
      case 'clock.Tick':
        if (p.run_id !== runId) return;
        st.batches.push({ bar_index: p.bar_index as number, ts: packTicks(p.ts as number[]), n: (p.ts as number[]).length, final: p.final as boolean, request_id: null, ready: false, wpos: 0 });
        break;
      case 'data.WindowReady':
      case 'data.WindowChunk':
      case 'data.WindowComplete': {
        if (p.instance_id !== instanceId) return;
        const b = st.batches.find((x) => x.request_id === p.request_id);
        if (!b || b.ready) return;
        let w: BarWindow | null = null;
        if (event.type === 'data.WindowReady') w = p.window as BarWindow;
        else if (event.type === 'data.WindowChunk') {
          const got = parts.get(b.bar_index) ?? [];
          got[p.seq as number] = p.window as BarWindow;
          parts.set(b.bar_index, got);
        } else {
          const got = parts.get(b.bar_index) ?? [];
          parts.delete(b.bar_index);
          // Parts received by a worker that has since gone are not in this one's memory: ask again.
          if (got.filter(Boolean).length !== (p.chunks as number)) {
            refetch(st, b, emit);
            break;
          }
          windows.set(b.bar_index, columnsOf(...got));
          b.ready = true;
        }
        if (w) {
          windows.set(b.bar_index, columnsOf(w));
          b.ready = true;
        }
        break;
      }
      case 'run.StopRequested':
        // Stop where the strategy is (ticks the clock has already sent are not played out).
        if (p.run_id !== runId || st.phase !== 'running') return;
        return finish(st, emit, 'stopped', null);
      case 'orders.Matched':
        if (p.instance_id !== instanceId) return;
        st.matched = Math.max(st.matched, p.bar_index as number);
        break;
      default:
        if (p.instance_id !== instanceId && (p.fill as Fill | undefined)?.instance_id !== instanceId && (p.order as OrderRequest | undefined)?.instance_id !== instanceId) return;
        if (!onOrderEvent(event, st, emit)) return;
    }
    pump(st, emit);
  };

  /** Apply an orders.* event; false when it concerns no order of ours. */
  function onOrderEvent(event: LoggedEvent, st: MarvinState, emit: (e: Envelope) => void): boolean {
    const p = event.payload as Record<string, unknown>;
    if (event.type === 'orders.Filled') {
      const fill = p.fill as Fill;
      if (fill.instance_id !== instanceId) return false;
      const order = st.orders[fill.order_id];
      applyFill(st, fill);
      if (!order) return true;
      const filledQty = order.filled_qty + fill.qty;
      const done = (p.remaining as number) <= 1e-12;
      const view: OrderView = { ...order, filled_qty: filledQty, status: done ? 'filled' : 'partially_filled' };
      if (done) delete st.orders[fill.order_id];
      else st.orders[fill.order_id] = view;
      callback(st, emit, fill.bar_index, Date.parse(fill.ts), (ctx) => strategy.onOrderUpdate?.(ctx, st.strategy, { order: view, fill: { qty: fill.qty, price: fill.price, fee: fill.fee, ts: Date.parse(fill.ts) }, reason: null }));
      return true;
    }
    const orderId = (p.order_id ?? (p.order as OrderRequest | undefined)?.order_id) as string | undefined;
    const order = orderId ? st.orders[orderId] : undefined;
    if (!order) return false;
    if (event.type === 'orders.Accepted') {
      st.orders[order.order_id] = { ...order, status: 'accepted' };
      return true;
    }
    if (event.type === 'orders.Canceled' || event.type === 'orders.Rejected') {
      delete st.orders[order.order_id];
      const update: OrderUpdate = { order: { ...order, status: event.type === 'orders.Canceled' ? 'canceled' : 'rejected' }, fill: null, reason: (p.reason as string) ?? null };
      callback(st, emit, order.bar_index, null, (ctx) => strategy.onOrderUpdate?.(ctx, st.strategy, update));
      return true;
    }
    return false;
  }

  function applyFill(st: MarvinState, fill: Fill): void {
    const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
    st.cash += fill.side === 'buy' ? -(fill.qty * fill.price) - fill.fee : fill.qty * fill.price - fill.fee;
    const pos = (st.positions[fill.symbol] ??= { qty: 0, avg_price: 0 });
    const next = pos.qty + signed;
    if (pos.qty === 0 || Math.sign(pos.qty) === Math.sign(signed)) pos.avg_price = (pos.avg_price * Math.abs(pos.qty) + fill.price * fill.qty) / Math.abs(next);
    else if (Math.sign(next) !== Math.sign(pos.qty) && next !== 0) pos.avg_price = fill.price; // flipped
    pos.qty = Math.abs(next) < 1e-12 ? 0 : next;
    if (pos.qty === 0) pos.avg_price = 0;
  }

  /** Run as far as the data and the venue allow. */
  function pump(st: MarvinState, emit: (e: Envelope) => void): void {
    if (st.phase === 'new') {
      st.phase = 'running';
      st.cash = run.cash;
      st.strategy = strategy.init(params);
      for (const s of symbols) st.history[s] = newHistory(historyCap);
      if (!callback(st, emit, 0, null, (ctx) => strategy.onStart?.(ctx, st.strategy))) return;
    }
    requestWindows(st, emit);
    const bars: (Bar | undefined)[] = new Array(symbols.length);
    for (;;) {
      if (st.phase !== 'running') return;
      const b = st.batches[0];
      if (!b || !b.ready) return;
      if (!windows.has(b.bar_index)) {
        refetch(st, b, emit); // the bars were in the memory of a worker that has since gone
        return;
      }
      if (st.pos >= b.n) {
        if (b.final) return finish(st, emit, 'completed', null);
        ticks.delete(b.bar_index);
        windows.delete(b.bar_index);
        st.batches.shift();
        st.pos = 0;
        requestWindows(st, emit);
        continue;
      }
      const k = b.bar_index + st.pos;
      const ts = ticksOf(b)[st.pos]!;
      const w = windows.get(b.bar_index)!;
      // Bars of this tick, if the instance has any (a run's tick may carry another instance's symbols only).
      let any = false;
      let i = b.wpos;
      while (i < w.n && w.t[i]! < ts) i++;
      bars.fill(undefined);
      for (; i < w.n && w.t[i] === ts; i++) {
        const si = w.s[i]!;
        bars[si] = { symbol: symbols[si]!, ts, open: w.o[i]!, high: w.h[i]!, low: w.l[i]!, close: w.c[i]!, volume: w.v[i]! };
        any = true;
      }
      if (any && hasOpenOrders(st) && st.matched < k) {
        if (st.advanced < k) {
          emit(makeEvent(StrategyAdvance, { run_id: runId, instance_id: instanceId, bar_index: k, ts: new Date(ts).toISOString() }, producer, meta));
          st.advanced = k;
        }
        return; // lockstep: wait for orders.Matched(k)
      }
      b.wpos = i;
      st.pos++;
      if (!any) continue;
      for (let s = 0; s < symbols.length; s++) if (bars[s]) pushHistory(st.history[symbols[s]!]!, bars[s]!);
      st.bars++;
      if (!callback(st, emit, k, ts, (ctx) => strategy.onBar(ctx, st.strategy), bars)) return;
    }
  }

  function hasOpenOrders(st: MarvinState): boolean {
    for (const _ in st.orders) return true;
    return false;
  }

  function requestWindows(st: MarvinState, emit: (e: Envelope) => void): void {
    for (let n = 0; n < Math.min(PREFETCH, st.batches.length); n++) {
      const b = st.batches[n]!;
      if (b.request_id !== null) continue;
      b.request_id = `${instanceId}:w${b.bar_index}`;
      if (b.n === 0) {
        windows.set(b.bar_index, columnsOf(emptyWindow(symbols)));
        b.ready = true;
        continue;
      }
      fetchWindow(b, emit);
    }
  }

  function refetch(st: MarvinState, b: PendingBatch, emit: (e: Envelope) => void): void {
    b.ready = false;
    parts.delete(b.bar_index);
    if (b.n === 0) {
      windows.set(b.bar_index, columnsOf(emptyWindow(symbols)));
      b.ready = true;
      return;
    }
    b.request_id = `${instanceId}:w${b.bar_index}:r${++st.refetches}`;
    fetchWindow(b, emit);
  }

  function fetchWindow(b: PendingBatch, emit: (e: Envelope) => void): void {
    const ts = ticksOf(b);
    emit(
      makeEvent(
        StrategyFetchWindow,
        { request_id: b.request_id!, run_id: runId, instance_id: instanceId, symbols: [...symbols], timeframe: run.timeframe, from: ts[0]!, to: ts[ts.length - 1]!, bar_index: b.bar_index },
        producer,
        meta,
      ),
    );
  }

  function finish(st: MarvinState, emit: (e: Envelope) => void, status: 'completed' | 'stopped' | 'failed', error: ErrorModel | null): void {
    const last = lastTick(st);
    if (status !== 'failed' && !callback(st, emit, last.k, last.ts, (ctx) => strategy.onStop?.(ctx, st.strategy))) return;
    st.phase = 'done';
    st.error = error;
    st.batches = [];
    ticks.clear();
    windows.clear();
    parts.clear();
    emit(makeEvent(StrategyFinished, { run_id: runId, instance_id: instanceId, status, bars: st.bars, until: last.ts === null ? null : new Date(last.ts).toISOString(), error }, producer, meta));
  }

  function lastTick(st: MarvinState): { k: number; ts: number | null } {
    // The last tick handled (at the end of the data: the batch's last; when stopped: where it stopped).
    const b: PendingBatch | undefined = st.batches[0];
    if (!b || st.pos === 0) return { k: Math.max(0, (b?.bar_index ?? 1) - 1), ts: null };
    return { k: b.bar_index + st.pos - 1, ts: ticksOf(b)[st.pos - 1]! };
  }

  /** Call strategy code; a throw fails the instance (the actor goes on, the others are not disturbed). */
  function callback(st: MarvinState, emit: (e: Envelope) => void, k: number, ts: number | null, fn: (ctx: StrategyContext) => void, bars?: (Bar | undefined)[]): boolean {
    try {
      fn(strategyContext.enter(st, emit, k, ts, bars));
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const where = ts === null ? '' : ` on bar ${k} (${new Date(ts).toISOString()})`;
      finish(st, emit, 'failed', { code: 'strategy_error', message: `strategy ${strategy.name} threw${where}: ${message}`, details: { bar_index: k }, correlation_id: null });
      return false;
    } finally {
      strategyContext.leave();
    }
  }
}
