// Marvin's state: everything an instance must remember between events, JSON-serialisable, snapshotted
// with the actor's offset in the same transaction (so a restart resumes exactly after the last batch).
import type { ErrorModel } from '../../protocol/index.ts';
import type { OrderView } from './strategy.ts';
import type { History } from './history.ts';

/**
 * A tick batch received from the clock, and whether the window of bars that serves it has arrived (the
 * bars themselves are a cache of the engine, not state). The tick times are kept as runs of equal steps
 * (packed.ts): the snapshot taken with every batch stays a few hundred bytes.
 */
export type PendingBatch = {
  bar_index: number;
  /** The ticks' bar starts as runs (packTicks). */
  ts: number[];
  /** How many ticks. */
  n: number;
  final: boolean;
  request_id: string | null;
  /** The window has arrived (its bars are in the engine's cache, or asked for again after a restart). */
  ready: boolean;
  /** Next unread bar of `window`. */
  wpos: number;
};

export type MarvinState = {
  phase: 'new' | 'running' | 'done';
  /** The strategy's own state. */
  strategy: unknown;
  cash: number;
  positions: Record<string, { qty: number; avg_price: number }>;
  /** Orders submitted and not yet finished (filled, canceled, rejected), by order_id. */
  orders: Record<string, OrderView>;
  /** Decisions made so far: makes order and decision ids deterministic. */
  seq: number;
  batches: PendingBatch[];
  /** Next tick of batches[0]. */
  pos: number;
  /** Bars handled (onBar calls). */
  bars: number;
  /** The venue has matched this instance's orders through this bar index (-1: none). */
  matched: number;
  /** The highest bar index an Advance was sent for (-1: none). */
  advanced: number;
  history: Record<string, History>;
  error: ErrorModel | null;
  /** Windows asked for again after a restart (makes their request ids unique). */
  refetches: number;
};

export function initialMarvinState(): MarvinState {
  return { phase: 'new', strategy: null, cash: 0, positions: {}, orders: {}, seq: 0, batches: [], pos: 0, bars: 0, matched: -1, advanced: -1, history: {}, error: null, refetches: 0 };
}
