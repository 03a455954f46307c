// Reads of the actors the supervisors run: every desired actor with its observed state, its lease, its
// consumer offset and how far behind the log's end that offset is (the consumer_offsets key of an actor
// is its id). `weaver actors list` and GET /actors show these rows as they are.
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { sql } from '../db/pool.ts';

export const ActorOverview = v.object({
  id: v.string(),
  kind: v.string(),
  /** What the last command asked for: running or stopped. */
  desired: v.string(),
  /** What the lease holder observed: pending, starting, running, restarting, stopped or failed. */
  state: v.string(),
  restarts: v.number(),
  last_error: v.nullable(v.unknown()),
  /** Holder of a lease that has not expired; null when nobody runs the actor. */
  lease_holder: v.nullable(v.string()),
  /** The lease's fencing token (an int8, as text). */
  fencing: v.nullable(v.string()),
  /** `tx.position`; null until the actor's consumer has started once (or for an actor without a subscription). */
  offset: v.nullable(v.string()),
  /** Events of any type after the offset. */
  lag: v.nullable(v.number()),
});
export type ActorOverview = v.InferOutput<typeof ActorOverview>;

// The lag count walks outbox_tx_position_idx from the offset to the end: cheap for actors that keep up,
// and an actor far behind is exactly the one worth the wait.
const overview = (where: ReturnType<typeof sql.fragment>) => sql.type(ActorOverview)`
  SELECT a.id, a.kind, a.desired, a.state, a.restarts, a.last_error,
    CASE WHEN l.expires_at >= clock_timestamp() THEN l.holder END AS lease_holder,
    l.fencing::text AS fencing,
    CASE WHEN o.consumer IS NOT NULL THEN o.tx::text || '.' || o.position::text END AS offset,
    CASE WHEN o.consumer IS NOT NULL THEN
      (SELECT count(*) FROM outbox x WHERE (x.tx, x.position) > (o.tx, o.position))::float8 END AS lag
  FROM actors a
  LEFT JOIN actor_leases l ON l.actor_id = a.id
  LEFT JOIN consumer_offsets o ON o.consumer = a.id
  ${where}
  ORDER BY a.id`;

export async function listActorOverview(db: CommonQueryMethods): Promise<ActorOverview[]> {
  return [...(await db.any(overview(sql.fragment``)))];
}

/** One actor, or null for an unknown id. */
export async function getActorOverview(db: CommonQueryMethods, id: string): Promise<ActorOverview | null> {
  return db.maybeOne(overview(sql.fragment`WHERE a.id = ${id}`));
}
