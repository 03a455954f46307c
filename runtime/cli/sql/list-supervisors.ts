// Supervisors that have not said they stopped, and whether their heartbeat is recent: one older than the
// lease TTL counts as dead, the same rule the supervisors use among themselves (countLiveSupervisors).
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { sql } from '../../db/pool.ts';

// slonik returns timestamptz as epoch ms; people and scripts read ISO-8601.
const IsoTime = v.pipe(v.number(), v.transform((ms) => new Date(ms).toISOString()));

export const SupervisorOverview = v.object({
  id: v.string(),
  host: v.string(),
  pid: v.number(),
  started_at: IsoTime,
  heartbeat_at: IsoTime,
  /** Measured by the database's clock, like `alive`, so this host's clock does not matter. */
  heartbeat_age_ms: v.number(),
  alive: v.boolean(),
  /** Actors whose live lease this supervisor holds, i.e. the ones it runs. */
  actors: v.array(v.string()),
});
export type SupervisorOverview = v.InferOutput<typeof SupervisorOverview>;

export async function listSupervisorOverview(db: CommonQueryMethods, ttlMs: number): Promise<SupervisorOverview[]> {
  return [
    ...(await db.any(sql.type(SupervisorOverview)`
      SELECT s.id, s.host, s.pid, s.started_at, s.heartbeat_at,
        (extract(epoch FROM clock_timestamp() - s.heartbeat_at) * 1000)::float8 AS heartbeat_age_ms,
        s.heartbeat_at >= clock_timestamp() - make_interval(secs => ${ttlMs / 1000}) AS alive,
        coalesce((SELECT array_agg(l.actor_id ORDER BY l.actor_id) FROM actor_leases l
                  WHERE l.holder = s.id AND l.expires_at >= clock_timestamp()), '{}') AS actors
      FROM supervisors s
      WHERE s.stopped_at IS NULL
      ORDER BY s.started_at`)),
  ];
}
