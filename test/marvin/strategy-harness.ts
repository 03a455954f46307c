// A StrategyContext for unit tests: feeds a strategy bars one tick at a time and records what it asks
// for (orders, cancels, plots, notes). It has no fill logic: the TEST decides what fills, at which
// price, and when cancels are confirmed; the harness only keeps the books (orders, positions, average
// prices, cash) and delivers onOrderUpdate. After every call into the strategy its state must be plain
// JSON, and it is replaced by a JSON round-trip copy, as if snapshotted and restored.
import type { Bar, OrderSide, OrderStatus, OrderType, Timeframe } from '../../protocol/index.ts';
import { timeframeMs } from '../../protocol/timeframes.ts';
import { resolveParams } from '../../actors/marvin/params.ts';
import type { RawParams } from '../../actors/marvin/params.ts';
import type { OrderOptions, OrderUpdate, OrderView, Params, StrategyContext, StrategyDefinition } from '../../actors/marvin/strategy.ts';

export interface BarInput {
  readonly symbol?: string;
  readonly ts?: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume?: number;
}

export interface HarnessOptions {
  readonly params?: RawParams;
  readonly symbols?: readonly string[];
  readonly timeframe?: Timeframe;
  readonly cash?: number;
  /** The first tick's ts when bars carry none (each later tick is one timeframe on). Default 2024-01-01. */
  readonly start?: number;
}

export type Intent =
  | { readonly kind: 'order'; readonly bar_index: number; readonly order: OrderView; readonly reason: string | null }
  | { readonly kind: 'cancel'; readonly bar_index: number; readonly order_id: string; readonly reason: string | null }
  | { readonly kind: 'plot'; readonly bar_index: number; readonly values: Readonly<Record<string, number>> }
  | { readonly kind: 'note'; readonly bar_index: number; readonly action: string; readonly reason: string; readonly details: unknown };

export interface FillRecord {
  readonly order_id: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly bar_index: number;
  readonly ts: number;
}

type MutableOrder = { -readonly [K in keyof OrderView]: OrderView[K] };

const OPEN: readonly OrderStatus[] = ['new', 'accepted', 'partially_filled'];
const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/** Throws when `value` would not survive JSON unchanged (NaN, Infinity, undefined, Map, class instances…). */
export function assertPlainJson(value: unknown, path = 'state'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}, which JSON cannot hold`);
    return;
  }
  if (Array.isArray(value)) return value.forEach((v, i) => assertPlainJson(v, `${path}[${i}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) assertPlainJson(v, `${path}.${k}`);
    return;
  }
  throw new Error(`${path} is ${typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value}, which JSON cannot hold`);
}

export class StrategyHarness<P extends Params = Params, S = unknown> {
  readonly definition: StrategyDefinition<P, S>;
  readonly params: P;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly intents: Intent[] = [];
  readonly fills: FillRecord[] = [];
  state: S;
  cash: number;
  barIndex = -1;
  now: number;

  private readonly historyLimit: number;
  private readonly history = new Map<string, Bar[]>();
  private current = new Map<string, Bar>();
  private readonly orders = new Map<string, MutableOrder>();
  private readonly positions = new Map<string, { qty: number; avg: number }>();
  private started = false;
  private nextOrder = 1;

  constructor(definition: StrategyDefinition<P, S>, options: HarnessOptions = {}) {
    this.definition = definition;
    this.params = resolveParams(definition, options.params ?? {});
    this.symbols = options.symbols ?? ['TEST'];
    this.timeframe = options.timeframe ?? '1d';
    this.cash = options.cash ?? 10_000;
    this.now = (options.start ?? Date.UTC(2024, 0, 1)) - timeframeMs(this.timeframe);
    this.historyLimit = definition.history?.(this.params) ?? 1;
    this.state = this.roundTrip(definition.init(this.params));
  }

  /** Make the next tick current (its bars become ctx.bar and history) without calling the strategy. */
  advance(bars: BarInput | readonly BarInput[]): void {
    const list = Array.isArray(bars) ? (bars as readonly BarInput[]) : [bars as BarInput];
    const ts = list[0]?.ts ?? this.now + timeframeMs(this.timeframe);
    this.barIndex++;
    this.now = ts;
    this.current = new Map();
    for (const input of list) {
      const symbol = input.symbol ?? this.symbols[0]!;
      if (!this.symbols.includes(symbol)) throw new Error(`harness: bar for ${symbol}, which the instance does not trade (${this.symbols.join(', ')})`);
      if ((input.ts ?? ts) !== ts) throw new Error('harness: the bars of one tick must share their ts');
      const bar: Bar = { symbol, ts, open: input.open, high: input.high, low: input.low, close: input.close, volume: input.volume ?? 0 };
      this.current.set(symbol, bar);
      const h = this.history.get(symbol) ?? [];
      h.push(bar);
      if (h.length > this.historyLimit) h.shift();
      this.history.set(symbol, h);
    }
  }

  /** Call the strategy's onBar for the current tick (onStart first, once). */
  runBar(): void {
    if (this.barIndex < 0) throw new Error('harness: runBar before any advance()');
    if (!this.started) {
      this.started = true;
      this.definition.onStart?.(this.context(), this.state);
      this.state = this.roundTrip(this.state);
    }
    this.definition.onBar(this.context(), this.state);
    this.state = this.roundTrip(this.state);
  }

  /** advance() then runBar(). */
  feed(bars: BarInput | readonly BarInput[]): void {
    this.advance(bars);
    this.runBar();
  }

  /** The test's decision: (part of) an open order fills at `price` in the current tick. */
  fill(orderId: string, price: number, qty?: number, fee = 0): void {
    const order = this.openOrder(orderId);
    const remaining = order.qty - order.filled_qty;
    const q = qty ?? remaining;
    if (!(q > 0 && q <= remaining + 1e-12)) throw new Error(`harness: cannot fill ${q} of ${orderId}, ${remaining} remain`);
    order.filled_qty += q;
    order.status = order.filled_qty >= order.qty - 1e-12 ? 'filled' : 'partially_filled';
    const signed = order.side === 'buy' ? q : -q;
    const p = this.positions.get(order.symbol) ?? { qty: 0, avg: 0 };
    const after = p.qty + signed;
    if (p.qty === 0 || Math.sign(p.qty) === Math.sign(signed)) p.avg = (Math.abs(p.qty) * p.avg + q * price) / Math.abs(after);
    else if (after === 0) p.avg = 0;
    else if (Math.sign(after) !== Math.sign(p.qty)) p.avg = price;
    p.qty = after;
    this.positions.set(order.symbol, p);
    this.cash -= signed * price + fee;
    this.fills.push({ order_id: orderId, symbol: order.symbol, side: order.side, qty: q, price, fee, bar_index: this.barIndex, ts: this.now });
    this.deliver({ order: { ...order }, fill: { qty: q, price, fee, ts: this.now }, reason: null });
  }

  /** The venue confirms a cancel (asked for by the strategy or not). */
  confirmCancel(orderId: string, reason = 'canceled'): void {
    this.close(orderId, 'canceled', reason);
  }

  reject(orderId: string, reason = 'rejected'): void {
    this.close(orderId, 'rejected', reason);
  }

  /** Confirm every cancel the strategy asked for that is still open. */
  confirmRequestedCancels(): void {
    for (const i of this.intents) {
      const order = i.kind === 'cancel' ? this.orders.get(i.order_id) : undefined;
      if (order && OPEN.includes(order.status)) this.confirmCancel(order.order_id);
    }
  }

  stop(): void {
    this.definition.onStop?.(this.context(), this.state);
    this.state = this.roundTrip(this.state);
  }

  position(symbol = this.symbols[0]!): number {
    return this.positions.get(symbol)?.qty ?? 0;
  }

  openOrders(symbol?: string): OrderView[] {
    return [...this.orders.values()].filter((o) => OPEN.includes(o.status) && (symbol === undefined || o.symbol === symbol)).map((o) => ({ ...o }));
  }

  order(orderId: string): OrderView {
    const o = this.orders.get(orderId);
    if (!o) throw new Error(`harness: no order ${orderId}`);
    return { ...o };
  }

  /** Intents of one kind (optionally of one bar). */
  ofKind<K extends Intent['kind']>(kind: K, barIndex?: number): Extract<Intent, { kind: K }>[] {
    return this.intents.filter((i): i is Extract<Intent, { kind: K }> => i.kind === kind && (barIndex === undefined || i.bar_index === barIndex));
  }

  private openOrder(orderId: string): MutableOrder {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`harness: no order ${orderId}`);
    if (!OPEN.includes(order.status)) throw new Error(`harness: order ${orderId} is ${order.status}, not open`);
    return order;
  }

  private close(orderId: string, status: 'canceled' | 'rejected', reason: string): void {
    const order = this.openOrder(orderId);
    order.status = status;
    this.deliver({ order: { ...order }, fill: null, reason });
  }

  private deliver(update: OrderUpdate): void {
    if (!this.definition.onOrderUpdate) return;
    this.definition.onOrderUpdate(this.context(), this.state, update);
    this.state = this.roundTrip(this.state);
  }

  private roundTrip(state: S): S {
    assertPlainJson(state);
    return JSON.parse(JSON.stringify(state)) as S;
  }

  private submit(side: OrderSide, qty: number, options: (OrderOptions & { symbol?: string }) | undefined): string {
    const symbol = options?.symbol ?? this.symbols[0]!;
    const type: OrderType = options?.type ?? 'market';
    if (!this.symbols.includes(symbol)) throw new Error(`harness: order for ${symbol}, which the instance does not trade`);
    if (!(Number.isFinite(qty) && qty > 0)) throw new Error(`harness: order quantity must be > 0, got ${qty}`);
    const needsLimit = type === 'limit' || type === 'stop_limit';
    const needsStop = type === 'stop' || type === 'stop_limit';
    if (needsLimit !== (options?.limit !== undefined)) throw new Error(`harness: a ${type} order ${needsLimit ? 'needs' : 'takes no'} limit price`);
    if (needsStop !== (options?.stop !== undefined)) throw new Error(`harness: a ${type} order ${needsStop ? 'needs' : 'takes no'} stop price`);
    for (const p of [options?.limit, options?.stop]) if (p !== undefined && !(Number.isFinite(p) && p > 0)) throw new Error(`harness: order price must be > 0, got ${p}`);
    const order: MutableOrder = {
      order_id: `o${this.nextOrder++}`,
      symbol,
      side,
      type,
      qty,
      filled_qty: 0,
      limit_price: options?.limit ?? null,
      stop_price: options?.stop ?? null,
      status: 'new',
      bar_index: this.barIndex,
    };
    this.orders.set(order.order_id, order);
    this.intents.push({ kind: 'order', bar_index: this.barIndex, order: { ...order }, reason: options?.reason ?? null });
    return order.order_id;
  }

  private context(): StrategyContext<P> {
    const h = this;
    const sym = (symbol?: string) => symbol ?? h.symbols[0]!;
    return {
      clock: { now: h.now, iso: () => new Date(h.now).toISOString(), barIndex: h.barIndex, timeframe: h.timeframe },
      params: h.params,
      symbols: h.symbols,
      cash: h.cash,
      bar: (symbol) => h.current.get(sym(symbol)),
      history(field, n, symbol) {
        if (!FIELDS.includes(field)) throw new Error(`harness: unknown history field ${field}`);
        if (n > h.historyLimit) throw new Error(`harness: history(${field}, ${n}) but the strategy declares history ${h.historyLimit}`);
        const bars = h.history.get(sym(symbol)) ?? [];
        return bars.length < n ? null : bars.slice(bars.length - n).map((b) => b[field]);
      },
      position: (symbol) => h.position(sym(symbol)),
      avgPrice: (symbol) => h.positions.get(sym(symbol))?.avg ?? 0,
      openOrders: (symbol) => h.openOrders(symbol),
      buy: (qty, options) => h.submit('buy', qty, options),
      sell: (qty, options) => h.submit('sell', qty, options),
      cancel(orderId, reason) {
        h.openOrder(orderId);
        h.intents.push({ kind: 'cancel', bar_index: h.barIndex, order_id: orderId, reason: reason ?? null });
      },
      plot(values) {
        for (const [k, v] of Object.entries(values)) if (!Number.isFinite(v)) throw new Error(`harness: plot ${k} is ${v}`);
        h.intents.push({ kind: 'plot', bar_index: h.barIndex, values: { ...values } });
      },
      note(action, reason, details) {
        h.intents.push({ kind: 'note', bar_index: h.barIndex, action, reason, details: details ?? null });
      },
    };
  }
}
