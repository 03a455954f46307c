// Greta's state: one simulated account per strategy instance (each instance trades its own account),
// its book of resting orders, and its fills (compact columns: they are snapshotted with every batch).
import type { FillSpec, Timeframe } from '../../protocol/index.ts';
import type { Book } from './fill-engine.ts';
import type { Account } from './portfolio.ts';

export type FillColumns = { sym: number[]; side: number[]; q: number[]; p: number[]; f: number[]; t: number[]; k: number[] };

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
  fills: FillColumns;
  /** Fills so far per order id (for deterministic fill ids), and orders accepted. */
  fill_seq: Record<string, number>;
  orders: number;
};

export interface GretaState {
  accounts: Record<string, VenueAccount>;
}

export const initialGretaState = (): GretaState => ({ accounts: {} });

export const emptyFills = (): FillColumns => ({ sym: [], side: [], q: [], p: [], f: [], t: [], k: [] });
