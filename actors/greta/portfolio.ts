// Portfolio accounting of one simulated account: cash, one net position per symbol at its average
// cost, realised P&L and fees. Pure and deterministic; the account is plain JSON data (it is
// snapshotted into Postgres jsonb), so positions are a record, not a Map, and a flat symbol is removed.
// Accounting: average cost. Increases re-average the price; reductions realise (price − avg) × qty,
// fees excluded (they are summed in `fees`); a fill that crosses zero closes the position and opens
// the rest at the fill price. Cash moves by the full notional, so a short sale credits cash.
import type { OrderSide } from '../../protocol/orders.ts';

export interface Position {
  /** Signed quantity: negative is short. Never 0 (a flat symbol has no entry). */
  qty: number;
  avg_price: number;
}

export interface Account {
  cash: number;
  positions: Record<string, Position>;
  /** Realised P&L of reductions, before fees. */
  realized_pnl: number;
  /** Fees paid so far. */
  fees: number;
}

/**
 * Quantities are doubles (crypto trades in fractions), so 0.1 + 0.2 − 0.3 is 5.6e-17, not 0. A
 * remainder this small relative to the quantities involved is rounding noise and counts as zero:
 * 1e-9 of a 1 BTC position is 0.1 satoshi.
 */
export const QTY_RELATIVE_EPSILON = 1e-9;

/** Is `remainder` rounding noise next to `scale`? */
export function isNoise(remainder: number, scale: number): boolean {
  return Math.abs(remainder) <= QTY_RELATIVE_EPSILON * Math.abs(scale);
}

export function newAccount(cash: number): Account {
  return { cash, positions: {}, realized_pnl: 0, fees: 0 };
}

/** The signed position of a symbol (0 when flat). */
export function positionQty(account: Account, symbol: string): number {
  return account.positions[symbol]?.qty ?? 0;
}

/** Apply one fill: cash, position, average price, realised P&L and fees. Mutates `account`. */
export function applyFill(account: Account, side: OrderSide, symbol: string, qty: number, price: number, fee: number): void {
  const notional = qty * price;
  account.cash += side === 'buy' ? -notional - fee : notional - fee;
  account.fees += fee;

  const signed = side === 'buy' ? qty : -qty;
  const pos = account.positions[symbol];
  if (pos === undefined) {
    account.positions[symbol] = { qty: signed, avg_price: price };
    return;
  }
  if (Math.sign(pos.qty) === Math.sign(signed)) {
    const held = Math.abs(pos.qty);
    pos.avg_price = (held * pos.avg_price + notional) / (held + qty);
    pos.qty += signed;
    return;
  }
  // A reduction, a close or a flip.
  const held = Math.abs(pos.qty);
  const closing = Math.min(qty, held);
  account.realized_pnl += closing * (price - pos.avg_price) * Math.sign(pos.qty);
  const rest = qty - closing;
  if (rest > 0 && !isNoise(rest, qty)) {
    account.positions[symbol] = { qty: Math.sign(signed) * rest, avg_price: price };
    return;
  }
  const left = pos.qty + signed;
  if (isNoise(left, held)) delete account.positions[symbol];
  else pos.qty = left;
}

/** Cash plus every position marked at `markPrice(symbol)`. */
export function equity(account: Account, markPrice: (symbol: string) => number): number {
  let total = account.cash;
  for (const symbol in account.positions) total += account.positions[symbol]!.qty * markPrice(symbol);
  return total;
}

/** Unrealised P&L of every position marked at `markPrice(symbol)`. */
export function unrealized(account: Account, markPrice: (symbol: string) => number): number {
  let total = 0;
  for (const symbol in account.positions) {
    const pos = account.positions[symbol]!;
    total += pos.qty * (markPrice(symbol) - pos.avg_price);
  }
  return total;
}
