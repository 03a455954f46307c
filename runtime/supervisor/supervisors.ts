// SQL on `supervisors`: who is alive. A supervisor whose heartbeat is older than the lease TTL counts as
// dead, so the survivors' fair share grows to cover its actors once their leases expire.
import { hostname } from 'node:os';
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { sql } from '../db/pool.ts';

export async function registerSupervisor(db: CommonQueryMethods, id: string): Promise<void> {
  await db.query(sql.unsafe`
    INSERT INTO supervisors (id, host, pid) VALUES (${id}, ${hostname()}, ${process.pid})
    ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = now(), heartbeat_at = now(), stopped_at = NULL`);
}

export async function beatSupervisor(db: CommonQueryMethods, id: string): Promise<void> {
  await db.query(sql.unsafe`UPDATE supervisors SET heartbeat_at = now() WHERE id = ${id}`);
}

export async function markSupervisorStopped(db: CommonQueryMethods, id: string): Promise<void> {
  await db.query(sql.unsafe`UPDATE supervisors SET stopped_at = now(), heartbeat_at = now() WHERE id = ${id}`);
}

export async function countLiveSupervisors(db: CommonQueryMethods, ttlMs: number): Promise<number> {
  const n = await db.oneFirst(sql.type(v.object({ n: v.bigint() }))`
    SELECT count(*) AS n FROM supervisors
    WHERE stopped_at IS NULL AND heartbeat_at >= clock_timestamp() - make_interval(secs => ${ttlMs / 1000})`);
  return Number(n);
}
