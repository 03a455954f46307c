// Greta's state: one simulated account per strategy instance (each instance trades its own account),
// its book of resting orders, and its fills. The fills are kept as compact text, a line each: the state
// is snapshotted with every batch, and one block of text copies in microseconds where thousands of
// numbers in arrays would not.
import type { FillSpec, Timeframe } from '../../protocol/index.ts';
import type { Book } from './fill-engine.ts';
import type { Account } from './portfolio.ts';

/** One fill per line: `symbolIndex,side(1|-1),qty,price,fee,ts,barIndex` (numbers as JavaScript prints them: exact round trip). */
export type FillLines = string;

export type VenueAccount = {
  run_id: string;
  symbols: string[];
  timeframe: Timeframe;
  from: number;
  to: number;
  fill: FillSpec;
  cash0: number;
  account: Account;
  book: Book;
  fills: FillLines;
  /** Fills so far per order id (for deterministic fill ids), and orders accepted. */
  fill_seq: Record<string, number>;
  orders: number;
};

export interface GretaState {
  accounts: Record<string, VenueAccount>;
}

export const initialGretaState = (): GretaState => ({ accounts: {} });

export function fillLine(symbolIndex: number, side: 1 | -1, qty: number, price: number, fee: number, ts: number, barIndex: number): string {
  return `${symbolIndex},${side},${qty},${price},${fee},${ts},${barIndex}\n`;
}
