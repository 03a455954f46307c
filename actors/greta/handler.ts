// Greta, the backtest venue: answers windows of stored bars, keeps each instance's book and account,
// matches resting orders bar by bar when the instance advances (backtest.Advance → orders.* then
// orders.Matched), and at backtest.Finish reports the results (backtest.Completed + backtest.Trades).
import type { CommonQueryMethods } from 'slonik';
import {
  BacktestCompleted,
  BacktestTrades,
  DataWindowChunk,
  DataWindowComplete,
  DataWindowReady,
  makeEvent,
  OrdersAccepted,
  OrdersCanceled,
  OrdersFilled,
  OrdersMatched,
  OrdersRejected,
  sliceWindow,
  type Envelope,
  type LoggedEvent,
  type OrderRequest,
  type RunSpec,
} from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/eventlog/types.ts';
import type { CandleSource } from '../../runtime/market-data/source.ts';
import { cancel, matchBar, newBook, submit } from './fill-engine.ts';
import { newAccount } from './portfolio.ts';
import { computeResult } from './results.ts';
import { fillLine, type GretaState } from './state.ts';

export const GRETA_TYPES = ['run.Started', 'backtest.*'] as const;

/** Bars per data.WindowChunk when a window is too big for one event (≤ ~75 B a bar as JSON: ≤ ~90 KB). */
export const CHUNK_BARS = 1200;
const TRADES_PER_EVENT = 300;

export function createGretaHandler(producer: string, candles: (db: CommonQueryMethods | null) => CandleSource) {
  return async function handle(event: LoggedEvent, ctx: HandlerContext<GretaState>): Promise<void> {
    const p = event.payload as Record<string, unknown>;
    const emit = (e: Envelope) => ctx.emit(e);
    if (event.type === 'run.Started') {
      const spec = p.spec as RunSpec;
      if (spec.mode !== 'backtest') return;
      for (const inst of spec.instances) {
        ctx.state.accounts[inst.instance_id] ??= {
          run_id: spec.run_id,
          symbols: inst.symbols,
          timeframe: spec.timeframe,
          from: Date.parse(spec.from!),
          to: Date.parse(spec.to!),
          fill: spec.fill,
          cash0: spec.cash,
          account: newAccount(spec.cash),
          book: newBook(),
          fills: '',
          fill_seq: {},
          orders: 0,
        };
      }
      return;
    }
    const order = p.order as OrderRequest | undefined;
    const instanceId = (p.instance_id as string | undefined) ?? order?.instance_id ?? '';
    const a = ctx.state.accounts[instanceId];
    if (!a) return; // an instance Greta never saw start, or one already finished
    const meta = { run_id: a.run_id };
    switch (event.type) {
      case 'backtest.FetchWindow': {
        const w = await candles(ctx.db).window(p.symbols as string[], a.timeframe, p.from as number, p.to as number);
        const base = { request_id: p.request_id as string, instance_id: instanceId };
        if (w.t.length <= CHUNK_BARS) {
          emit(makeEvent(DataWindowReady, { ...base, window: w }, producer, meta, event));
          return;
        }
        let seq = 0;
        for (let i = 0; i < w.t.length; i += CHUNK_BARS) emit(makeEvent(DataWindowChunk, { ...base, seq: seq++, window: sliceWindow(w, i, i + CHUNK_BARS) }, producer, meta, event));
        emit(makeEvent(DataWindowComplete, { ...base, chunks: seq, bars: w.t.length }, producer, meta, event));
        return;
      }
      case 'backtest.PlaceRequest': {
        const o = order!;
        const reason = !a.symbols.includes(o.symbol) ? `${o.symbol} is not a symbol of this instance (${a.symbols.join(', ')})` : null;
        const res = reason ? { ok: false as const, reason } : submit(a.book, o);
        if (res.ok) {
          a.orders++;
          emit(makeEvent(OrdersAccepted, { order: o }, producer, meta, event));
        } else emit(makeEvent(OrdersRejected, { order_id: o.order_id, instance_id: instanceId, run_id: a.run_id, reason: res.reason, order: o }, producer, meta, event));
        return;
      }
      case 'backtest.CancelRequest': {
        const gone = cancel(a.book, p.order_id as string);
        if (gone) emit(makeEvent(OrdersCanceled, { order_id: gone.request.order_id, instance_id: instanceId, run_id: a.run_id, reason: p.reason as string, filled_qty: gone.filled_qty }, producer, meta, event));
        return;
      }
      case 'backtest.Advance': {
        const k = p.bar_index as number;
        const ts = Date.parse(p.ts as string);
        const wanted = [...new Set(a.book.orders.map((o) => o.request.symbol))];
        if (wanted.length > 0) {
          for (const bar of await candles(ctx.db).barsAt(wanted, a.timeframe, ts)) {
            for (const m of matchBar(a.book, bar, k, a.fill, a.account)) {
              const req = m.order.request;
              if (m.kind === 'rejected') {
                emit(makeEvent(OrdersRejected, { order_id: req.order_id, instance_id: instanceId, run_id: a.run_id, reason: m.reason, order: req }, producer, meta, event));
                continue;
              }
              const n = (a.fill_seq[req.order_id] = (a.fill_seq[req.order_id] ?? 0) + 1);
              a.fills += fillLine(a.symbols.indexOf(req.symbol), req.side === 'buy' ? 1 : -1, m.qty, m.price, m.fee, ts, k);
              if (m.remaining === 0) delete a.fill_seq[req.order_id];
              const fill = { fill_id: `${req.order_id}:f${n}`, order_id: req.order_id, run_id: a.run_id, instance_id: instanceId, symbol: req.symbol, side: req.side, qty: m.qty, price: m.price, fee: m.fee, ts: new Date(ts).toISOString(), bar_index: k };
              emit(makeEvent(OrdersFilled, { fill, remaining: m.remaining, avg_price: m.order.avg_price }, producer, meta, event));
            }
          }
        }
        emit(makeEvent(OrdersMatched, { instance_id: instanceId, run_id: a.run_id, bar_index: k, ts: p.ts as string }, producer, meta, event));
        return;
      }
      case 'backtest.Finish': {
        for (const o of a.book.orders) {
          emit(makeEvent(OrdersCanceled, { order_id: o.request.order_id, instance_id: instanceId, run_id: a.run_id, reason: 'the run ended with the order open', filled_qty: o.filled_qty }, producer, meta, event));
        }
        a.book.orders = [];
        // Valued up to the last bar the instance handled (a stopped or failed one ends early).
        const until = typeof p.until === 'string' ? Math.min(Date.parse(p.until), a.to) : a.to;
        const all = await candles(ctx.db).window(a.symbols, a.timeframe, a.from, until);
        const r = computeResult(a, all, a.timeframe);
        const status = p.status as 'completed' | 'failed' | 'stopped';
        const stats = Object.fromEntries(Object.entries(r.stats).map(([key, value]) => [key, value ?? null])) as Record<string, number | string | null>;
        emit(
          makeEvent(
            BacktestCompleted,
            { run_id: a.run_id, instance_id: instanceId, status, final_equity: r.final_equity, cash: r.cash, positions: r.positions, stats, equity: r.equity, fills: r.fills, orders: a.orders, trades: r.trades.length },
            producer,
            meta,
            event,
          ),
        );
        for (let i = 0; i < r.trades.length; i += TRADES_PER_EVENT) {
          const trades = r.trades.slice(i, i + TRADES_PER_EVENT).map((t, j) => ({
            seq: i + j,
            symbol: t.symbol,
            side: t.side,
            entry_ts: t.entry_ts,
            exit_ts: t.exit_ts,
            entry_price: t.entry_price,
            exit_price: t.exit_price,
            qty: t.qty,
            // + 0 turns -0 into 0: a numeric column has no negative zero, and results must compare equal.
            pnl: t.pnl + 0,
            fees: t.fees + 0,
          }));
          emit(makeEvent(BacktestTrades, { run_id: a.run_id, instance_id: instanceId, trades }, producer, meta, event));
        }
        delete ctx.state.accounts[instanceId];
        return;
      }
    }
  };
}
