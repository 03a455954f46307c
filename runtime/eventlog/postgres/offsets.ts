import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { Cursor, Envelope } from '../../../protocol/index.ts';
import { insertFragment } from './append.ts';
import { KEEP_STATE, type AdvanceOutcome, type LoadedOffset } from '../store.ts';
import type { Fencing } from '../types.ts';

const OffsetRow = v.object({ tx: v.string(), position: v.bigint(), state: v.unknown(), failing_event: v.nullable(v.string()), failing_attempts: v.number() });

/** The consumer's stored cursor, state snapshot and failing event; creates the row on first use, at `startAfter` (default the origin). */
export async function loadOffset(db: CommonQueryMethods, consumer: string, startAfter: Cursor = { tx: 0n, position: 0n }): Promise<LoadedOffset> {
  await db.query(sql.unsafe`
    INSERT INTO consumer_offsets (consumer, tx, position) VALUES (${consumer}, ${startAfter.tx.toString()}::xid8, ${startAfter.position.toString()}::int8)
    ON CONFLICT (consumer) DO NOTHING`);
  const row = await db.one(sql.type(OffsetRow)`
    SELECT tx::text AS tx, position, state, failing_event::text AS failing_event, failing_attempts
    FROM consumer_offsets WHERE consumer = ${consumer}`);
  const failing = row.failing_event ? { eventId: row.failing_event, attempts: row.failing_attempts } : null;
  return { cursor: { tx: BigInt(row.tx), position: row.position }, state: row.state, failing };
}

/** One more handler failure on `eventId`, committed on its own so that it outlives the crash that may follow. */
export async function recordHandlerFailure(db: CommonQueryMethods, consumer: string, eventId: string): Promise<number> {
  return db.oneFirst(sql.type(v.object({ failing_attempts: v.number() }))`
    UPDATE consumer_offsets
    SET failing_attempts = CASE WHEN failing_event = ${eventId}::uuid THEN failing_attempts + 1 ELSE 1 END,
        failing_event = ${eventId}::uuid
    WHERE consumer = ${consumer}
    RETURNING failing_attempts`);
}

/**
 * Compare-and-set: move the offset from `prev` to `next` with the state snapshot, only if it is still at
 * `prev` and (with fencing) the lease is still ours with the same token. Under READ COMMITTED a
 * concurrent instance blocks on the row lock and then re-checks the WHERE, so exactly one wins.
 */
export async function advanceOffset(
  db: CommonQueryMethods,
  consumer: string,
  prev: Cursor,
  next: Cursor,
  state: unknown,
  handled: number,
  fencing: Fencing | undefined,
  /** The batch's emitted events, inserted by the same statement (one round trip less per batch). */
  events: readonly Envelope[] = [],
): Promise<AdvanceOutcome> {
  const append = events.length > 0 ? sql.fragment`WITH appended AS (${insertFragment(events)} RETURNING 1)` : sql.fragment``;
  const lease = fencing
    ? sql.fragment`AND EXISTS (SELECT 1 FROM actor_leases WHERE actor_id = ${fencing.actorId} AND holder = ${fencing.holder} AND fencing = ${fencing.token.toString()}::int8 AND expires_at > clock_timestamp())`
    : sql.fragment``;
  // With events, the INSERT runs whatever the UPDATE finds; a failed compare-and-set rolls both back.
  const updated = await db.query(sql.unsafe`
    ${append}
    UPDATE consumer_offsets
    SET tx = ${next.tx.toString()}::xid8, position = ${next.position.toString()}::int8, ${state === KEEP_STATE ? sql.fragment`` : sql.fragment`state = ${sql.jsonb((state ?? null) as never)},`}
        handled = handled + ${handled}, updated_at = now()
    WHERE consumer = ${consumer} AND tx = ${prev.tx.toString()}::xid8 AND position = ${prev.position.toString()}::int8 ${lease}`);
  if (updated.rowCount === 1) return 'ok';
  if (!fencing) return 'offset_moved';
  const moved = await db.exists(sql.unsafe`
    SELECT 1 FROM consumer_offsets WHERE consumer = ${consumer}
    AND (tx <> ${prev.tx.toString()}::xid8 OR position <> ${prev.position.toString()}::int8)`);
  return moved ? 'offset_moved' : 'lease_lost';
}
