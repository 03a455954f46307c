// The strategy API: what a strategy module declares and the context it is handed on each call. The
// same code runs in backtests and live. A strategy is deterministic: it reads time only from
// `ctx.clock`, data only from `ctx` (never Date.now(), timers, I/O or the database), and keeps what it
// must remember in `state`, a JSON-serialisable object snapshotted with the actor's offset.
import type { Bar, OrderSide, OrderStatus, OrderType, ParamValue, Timeframe } from '../../protocol/index.ts';

/** A parameter: its type, default, bounds and meaning (rendered by the CLI and the dashboard). */
export interface ParamSpec {
  readonly type: 'integer' | 'number' | 'boolean' | 'string';
  readonly default: ParamValue;
  readonly min?: number;
  readonly max?: number;
  readonly description: string;
}

export type Params = Readonly<Record<string, ParamValue>>;

export interface StrategyClock {
  /** The current bar's start, epoch ms UTC (the tick's ts). */
  readonly now: number;
  /** The same as ISO-8601. */
  iso(): string;
  /** The bar's index in the run (0 = the run's first bar). */
  readonly barIndex: number;
  readonly timeframe: Timeframe;
}

export interface OrderView {
  readonly order_id: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly qty: number;
  readonly filled_qty: number;
  readonly limit_price: number | null;
  readonly stop_price: number | null;
  readonly status: OrderStatus;
  /** The bar index that decided it. */
  readonly bar_index: number;
}

export interface OrderOptions {
  /** Default 'market'. */
  readonly type?: OrderType;
  readonly limit?: number;
  readonly stop?: number;
  /** Why: stored with the decision (shown in the dashboard). */
  readonly reason?: string;
}

export interface OrderUpdate {
  readonly order: OrderView;
  /** The fill of this update, if it is one. */
  readonly fill: { readonly qty: number; readonly price: number; readonly fee: number; readonly ts: number } | null;
  /** Why it was rejected or canceled. */
  readonly reason: string | null;
}

export interface StrategyContext<P extends Params = Params> {
  readonly clock: StrategyClock;
  readonly params: P;
  readonly symbols: readonly string[];
  /** The current bar of a symbol (default: the first symbol); undefined when the symbol has no bar at this tick. */
  bar(symbol?: string): Bar | undefined;
  /**
   * The last `n` values of a field, oldest first, ending with the current bar; null while fewer than
   * `n` bars have been seen. At most `history` bars (the strategy's declaration) are kept.
   */
  history(field: 'open' | 'high' | 'low' | 'close' | 'volume', n: number, symbol?: string): number[] | null;
  /** Signed quantity held (negative: short). */
  position(symbol?: string): number;
  /** Average entry price of the position (0 when flat). */
  avgPrice(symbol?: string): number;
  readonly cash: number;
  openOrders(symbol?: string): readonly OrderView[];
  /** Submit an order; returns its order_id. It fills from the next bar on. */
  buy(qty: number, options?: OrderOptions & { symbol?: string }): string;
  sell(qty: number, options?: OrderOptions & { symbol?: string }): string;
  cancel(orderId: string, reason?: string): void;
  /** Values of indicators on this bar, for charts (e.g. { sma_fast: 101.2 }). */
  plot(values: Readonly<Record<string, number>>): void;
  /** A decision worth recording that placed no order (e.g. "signal ignored: order pending"). */
  note(action: string, reason: string, details?: Readonly<Record<string, unknown>>): void;
}

export interface StrategyDefinition<P extends Params = Params, S = unknown> {
  readonly name: string;
  readonly description: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Bars of history per symbol that ctx.history may ask for (default 1). */
  history?(params: P): number;
  /** Check relations between parameters (e.g. fast < slow); return a message naming what to fix, or null. */
  validate?(params: P): string | null;
  init(params: P): S;
  onStart?(ctx: StrategyContext<P>, state: S): void;
  onBar(ctx: StrategyContext<P>, state: S): void;
  onOrderUpdate?(ctx: StrategyContext<P>, state: S, update: OrderUpdate): void;
  onStop?(ctx: StrategyContext<P>, state: S): void;
}

/** Declare a strategy (a module's default export); checks the shape at import. */
export function defineStrategy<P extends Params, S>(definition: StrategyDefinition<P, S>): StrategyDefinition<P, S> {
  if (!/^[a-z][a-z0-9_]*$/.test(definition.name)) throw new Error(`defineStrategy: name "${definition.name}" must be lower-case letters, digits and _`);
  for (const [key, spec] of Object.entries(definition.params)) {
    if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new Error(`defineStrategy(${definition.name}): parameter "${key}" must be lower-case letters, digits and _`);
    if (typeof spec.default !== (spec.type === 'integer' ? 'number' : spec.type)) throw new Error(`defineStrategy(${definition.name}): default of ${key} is not a ${spec.type}`);
  }
  return Object.freeze({ ...definition });
}
