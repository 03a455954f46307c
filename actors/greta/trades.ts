// Round trips from a run's fills, for the report and the trade statistics. A trade opens when a
// symbol's position leaves 0 and closes when it returns to 0; a fill that crosses 0 closes one trade
// and opens the next with the rest, its fee split between them pro rata by quantity. A trade's P&L is
// realised at average cost (as the portfolio books it) net of every fee of its fills. Pure.
import type { OrderSide } from '../../protocol/orders.ts';
import { isNoise } from './portfolio.ts';

/** A fill as the trade and equity builders need it; ts is the fill's bar start, epoch ms. */
export interface FillRecord {
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  fee: number;
  ts: number;
  /** The fill's bar index in the run; when given, trades report how many bars they lasted. */
  bar_index?: number;
}

export interface Trade {
  symbol: string;
  side: 'long' | 'short';
  entry_ts: number;
  /** null while open. */
  exit_ts: number | null;
  /** Average price of the fills that built the position. */
  entry_price: number;
  /** Average price of the fills that reduced it; null before the first. */
  exit_price: number | null;
  /** The largest absolute position reached. */
  qty: number;
  /** Realised P&L net of all fees of its fills (an open trade: of the part closed so far). */
  pnl: number;
  fees: number;
  /** Exit bar index − entry bar index; null while open or when fills carry no bar_index. */
  bars: number | null;
}

interface Working {
  trade: Trade;
  /** Signed position. */
  pos: number;
  avgCost: number;
  entryQty: number;
  entryNotional: number;
  exitQty: number;
  exitNotional: number;
  entryBar: number | null;
}

export function buildTrades(fills: Iterable<FillRecord>): { closed: Trade[]; open: Trade[] } {
  const closed: Trade[] = [];
  const working = new Map<string, Working>();
  for (const fill of fills) {
    const w = working.get(fill.symbol);
    if (w === undefined) {
      working.set(fill.symbol, open(fill, fill.qty, fill.fee));
      continue;
    }
    const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
    if (Math.sign(signed) === Math.sign(w.pos)) {
      increase(w, fill);
      continue;
    }
    const held = Math.abs(w.pos);
    const closing = Math.min(fill.qty, held);
    let rest = fill.qty - closing;
    if (isNoise(rest, fill.qty)) rest = 0;
    const closeFee = rest > 0 ? (fill.fee * closing) / fill.qty : fill.fee;
    w.trade.pnl += closing * (fill.price - w.avgCost) * Math.sign(w.pos) - closeFee;
    w.trade.fees += closeFee;
    w.exitQty += closing;
    w.exitNotional += closing * fill.price;
    w.pos += Math.sign(signed) * closing;
    if (rest === 0 && !isNoise(w.pos, held)) continue;
    w.trade.exit_ts = fill.ts;
    if (w.entryBar !== null && fill.bar_index !== undefined) w.trade.bars = fill.bar_index - w.entryBar;
    closed.push(finish(w));
    working.delete(fill.symbol);
    if (rest > 0) working.set(fill.symbol, open(fill, rest, fill.fee - closeFee));
  }
  return { closed, open: [...working.values()].map(finish) };
}

function open(fill: FillRecord, qty: number, fee: number): Working {
  return {
    trade: {
      symbol: fill.symbol,
      side: fill.side === 'buy' ? 'long' : 'short',
      entry_ts: fill.ts,
      exit_ts: null,
      entry_price: fill.price,
      exit_price: null,
      qty,
      pnl: -fee,
      fees: fee,
      bars: null,
    },
    pos: fill.side === 'buy' ? qty : -qty,
    avgCost: fill.price,
    entryQty: qty,
    entryNotional: qty * fill.price,
    exitQty: 0,
    exitNotional: 0,
    entryBar: fill.bar_index ?? null,
  };
}

function increase(w: Working, fill: FillRecord): void {
  const held = Math.abs(w.pos);
  w.avgCost = (held * w.avgCost + fill.qty * fill.price) / (held + fill.qty);
  w.pos += fill.side === 'buy' ? fill.qty : -fill.qty;
  w.entryQty += fill.qty;
  w.entryNotional += fill.qty * fill.price;
  w.trade.pnl -= fill.fee;
  w.trade.fees += fill.fee;
  w.trade.qty = Math.max(w.trade.qty, Math.abs(w.pos));
}

function finish(w: Working): Trade {
  w.trade.entry_price = w.entryNotional / w.entryQty;
  w.trade.exit_price = w.exitQty > 0 ? w.exitNotional / w.exitQty : null;
  return w.trade;
}
