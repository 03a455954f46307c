// What `weaver actors list` and the gateway's /actors show: the desired and observed state of every actor,
// who holds its lease, and, for actors running in this process, their consumer's progress.
import type { DatabasePool } from 'slonik';
import type { WorkerStats } from '../actor/protocol.ts';
import { listLeases } from './leases.ts';
import { listActors } from './registry.ts';
import type { ActorRunner } from './runner.ts';

export interface ActorStatus {
  readonly id: string;
  readonly kind: string;
  readonly desired: 'running' | 'stopped';
  readonly state: string;
  readonly restarts: number;
  readonly generation: number;
  readonly lastError: unknown;
  readonly lease: { readonly holder: string; readonly fencing: string; readonly expiresAt: string; readonly live: boolean } | null;
  /** Set when this supervisor runs the actor. */
  readonly here: { readonly phase: ActorRunner['phase']; readonly stats: WorkerStats | null } | null;
}

export async function buildStatus(pool: DatabasePool, runners: ReadonlyMap<string, ActorRunner>): Promise<ActorStatus[]> {
  const [rows, leases] = await Promise.all([listActors(pool), listLeases(pool)]);
  const leaseOf = new Map(leases.map((l) => [l.actor_id, l]));
  return Promise.all(
    rows.map(async (r) => {
      const l = leaseOf.get(r.id);
      const runner = runners.get(r.id);
      return {
        id: r.id,
        kind: r.kind,
        desired: r.desired,
        state: r.state,
        restarts: r.restarts,
        generation: r.generation,
        lastError: r.last_error,
        lease: l ? { holder: l.holder, fencing: l.fencing.toString(), expiresAt: new Date(l.expires_at).toISOString(), live: l.live } : null,
        here: runner ? { phase: runner.phase, stats: await runner.stats() } : null,
      };
    }),
  );
}
