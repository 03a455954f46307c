// Every desired actor with what the CLI shows about it: observed state, its lease, its consumer offset and
// how far behind the log's end that offset is. The consumer_offsets key of an actor is its id.
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { sql } from '../../db/pool.ts';

export const ActorOverview = v.object({
  id: v.string(),
  kind: v.string(),
  desired: v.string(),
  state: v.string(),
  restarts: v.number(),
  last_error: v.nullable(v.unknown()),
  /** Holder of a lease that has not expired; null when nobody runs the actor. */
  lease_holder: v.nullable(v.string()),
  fencing: v.nullable(v.bigint()),
  /** `tx.position`; null until the actor's consumer has started once (or for an actor without a subscription). */
  offset: v.nullable(v.string()),
  /** Events of any type after the offset. */
  lag: v.nullable(v.bigint()),
});
export type ActorOverview = v.InferOutput<typeof ActorOverview>;

// The lag count walks outbox_tx_position_idx from the offset to the end: cheap for actors that keep up,
// and an actor far behind is exactly the one worth the wait.
export async function listActorOverview(db: CommonQueryMethods): Promise<ActorOverview[]> {
  return [
    ...(await db.any(sql.type(ActorOverview)`
      SELECT a.id, a.kind, a.desired, a.state, a.restarts, a.last_error,
        CASE WHEN l.expires_at >= clock_timestamp() THEN l.holder END AS lease_holder,
        l.fencing,
        CASE WHEN o.consumer IS NOT NULL THEN o.tx::text || '.' || o.position::text END AS offset,
        CASE WHEN o.consumer IS NOT NULL THEN
          (SELECT count(*) FROM outbox x WHERE (x.tx, x.position) > (o.tx, o.position)) END AS lag
      FROM actors a
      LEFT JOIN actor_leases l ON l.actor_id = a.id
      LEFT JOIN consumer_offsets o ON o.consumer = a.id
      ORDER BY a.id`)),
  ];
}
