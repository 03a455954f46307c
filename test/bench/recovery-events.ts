// What the recovery benchmark (recovery.ts) and its actor (actors/recovery-ticker.ts) share: the event the
// actor consumes, the table it records handled events in, and the BroadcastChannel on which its worker
// reports the moments no table can hold (its module loaded, its start(), the instant before it kills itself).
// Imported in the benchmark's thread and in the actor's worker, so bench.Tick is registered in both.
import * as v from 'valibot';
import { defineEvent } from '../../protocol/index.ts';
import { sql } from '../../runtime/db/pool.ts';

/**
 * One tick of the steady stream. `t` is the send time (performance.timeOrigin + now, comparable across the
 * threads of one process). `kill` = n tells the incarnation n of the ticker to exit(1) on this event; a
 * later incarnation handles the same event normally, so the crash happens once.
 */
export const BenchTick = defineEvent('bench.Tick', 'evt', v.object({ seq: v.number(), t: v.number(), kill: v.optional(v.number()) }));
export type BenchTickPayload = v.InferOutput<typeof BenchTick.payload>;

export const TICKER_KIND = 'bench-ticker';
export const TICKER_URL = new URL('./actors/recovery-ticker.ts', import.meta.url).href;

/** One row per handled (and committed) tick, written in the batch transaction through ctx.db. */
export const CREATE_RECOVERY_TABLE = sql.unsafe`CREATE TABLE IF NOT EXISTS bench_recovery_handled (
  incarnation integer NOT NULL, seq integer NOT NULL, sent_at double precision NOT NULL, handled_at double precision NOT NULL)`;

export const RECOVERY_CHANNEL = 'weaver-bench-recovery';

/** Posted by the ticker's worker; `threadId` ties it to the worker the supervisor spawned. */
export type RecoveryMark =
  | { readonly what: 'loaded'; readonly t: number; readonly threadId: number }
  | { readonly what: 'started'; readonly t: number; readonly threadId: number; readonly incarnation: number }
  | { readonly what: 'kill'; readonly t: number; readonly threadId: number; readonly incarnation: number };

export const nowMs = (): number => performance.timeOrigin + performance.now();
