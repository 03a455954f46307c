// Actor leases in `actor_leases`: an actor runs only where its lease is held. Every time is the database's
// clock (clock_timestamp()), the same one the consumer's fenced offset compare-and-set checks, so hosts'
// clocks never matter. Fencing grows on every (re)start of a worker, even by the same holder, so any older
// thread of the actor (a zombie of another supervisor or a not-yet-dead one of ours) cannot commit.
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { sql } from '../db/pool.ts';

const LeaseToken = v.object({ actor_id: v.string(), fencing: v.bigint() });

const ttl = (ms: number) => sql.fragment`make_interval(secs => ${ms / 1000})`;

/**
 * Take up to `limit` of `actorIds` whose lease is free, expired or already ours, bumping each one's
 * fencing. Rows are locked in id order so two supervisors taking overlapping sets cannot deadlock; under
 * READ COMMITTED the loser of a race re-checks the WHERE on the winner's row and skips it.
 */
export async function acquireLeases(db: CommonQueryMethods, actorIds: readonly string[], holder: string, ttlMs: number, limit = actorIds.length): Promise<Map<string, bigint>> {
  if (actorIds.length === 0 || limit <= 0) return new Map();
  const rows = await db.any(sql.type(LeaseToken)`
    INSERT INTO actor_leases (actor_id, holder, fencing, expires_at)
    SELECT c.id, ${holder}, 1, clock_timestamp() + ${ttl(ttlMs)}
    FROM unnest(${sql.array([...actorIds], 'text')}) AS c(id)
    WHERE NOT EXISTS (SELECT 1 FROM actor_leases l WHERE l.actor_id = c.id AND l.holder <> ${holder} AND l.expires_at >= clock_timestamp())
    ORDER BY c.id
    LIMIT ${limit}
    ON CONFLICT (actor_id) DO UPDATE
      SET holder = excluded.holder, fencing = actor_leases.fencing + 1, expires_at = excluded.expires_at, updated_at = now()
      WHERE actor_leases.holder = excluded.holder OR actor_leases.expires_at < clock_timestamp()
    RETURNING actor_id, fencing`);
  return new Map(rows.map((r) => [r.actor_id, r.fencing]));
}

/**
 * Extend the leases we hold; returns the ids still ours. An id missing from the answer was taken over
 * (only its holder ever writes a row with its own name, so `holder = me` is the whole test).
 */
export async function renewLeases(db: CommonQueryMethods, actorIds: readonly string[], holder: string, ttlMs: number): Promise<Set<string>> {
  if (actorIds.length === 0) return new Set();
  const rows = await db.any(sql.type(LeaseToken)`
    UPDATE actor_leases SET expires_at = clock_timestamp() + ${ttl(ttlMs)}, updated_at = now()
    WHERE holder = ${holder} AND actor_id = ANY(${sql.array([...actorIds], 'text')})
    RETURNING actor_id, fencing`);
  return new Set(rows.map((r) => r.actor_id));
}

/**
 * Give leases up at once (shutdown, stop, failed) so another supervisor need not wait out the TTL. The row
 * is expired rather than deleted: deleting would restart fencing at 1 and let an old token match again.
 */
export async function releaseLeases(db: CommonQueryMethods, actorIds: readonly string[], holder: string): Promise<void> {
  if (actorIds.length === 0) return;
  await db.query(sql.unsafe`
    UPDATE actor_leases SET expires_at = clock_timestamp() - interval '1 millisecond', updated_at = now()
    WHERE holder = ${holder} AND actor_id = ANY(${sql.array([...actorIds], 'text')})`);
}

const LeaseRow = v.object({ actor_id: v.string(), holder: v.string(), fencing: v.bigint(), expires_at: v.number(), live: v.boolean() });
export type LeaseRow = v.InferOutput<typeof LeaseRow>;

export async function listLeases(db: CommonQueryMethods): Promise<LeaseRow[]> {
  return [...(await db.any(sql.type(LeaseRow)`
    SELECT actor_id, holder, fencing, expires_at, expires_at >= clock_timestamp() AS live FROM actor_leases`))];
}
