// SQL on `actors`: the desired state every supervisor reconciles towards (written by the control plane
// and ensureActors), and the observed state (state, restarts, last_error) written by the lease holder.
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { ErrorModel } from '../../protocol/index.ts';
import { sql } from '../db/pool.ts';

export const ActorRow = v.object({
  id: v.string(),
  kind: v.string(),
  config: v.unknown(),
  desired: v.picklist(['running', 'stopped']),
  generation: v.number(),
  last_command_id: v.nullable(v.string()),
  state: v.string(),
  restarts: v.number(),
  last_error: v.nullable(v.unknown()),
});
export type ActorRow = v.InferOutput<typeof ActorRow>;

/** Observed states. `failed` stays until an actor.Restart (or a kill and a new spawn). */
export type ActorState = 'pending' | 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';

export interface ActorSpec {
  readonly id: string;
  readonly kind: string;
  readonly config: Record<string, unknown>;
}

export async function listActors(db: CommonQueryMethods): Promise<ActorRow[]> {
  return [...(await db.any(sql.type(ActorRow)`
    SELECT id, kind, config, desired, generation, last_command_id, state, restarts, last_error FROM actors ORDER BY id`))];
}

/** Desired actors that do not exist yet; existing ones (running, stopped or failed) are left as they are. */
export async function insertActors(db: CommonQueryMethods, specs: readonly ActorSpec[]): Promise<string[]> {
  const inserted: string[] = [];
  for (const s of specs) {
    const id = await db.maybeOneFirst(sql.type(v.object({ id: v.string() }))`
      INSERT INTO actors (id, kind, config) VALUES (${s.id}, ${s.kind}, ${sql.jsonb(s.config as never)})
      ON CONFLICT (id) DO NOTHING RETURNING id`);
    if (id !== null) inserted.push(id);
  }
  return inserted;
}

export interface ObservedChange {
  readonly state: ActorState;
  readonly restarts?: number;
  readonly lastError?: ErrorModel | null;
}

/**
 * Record what the lease holder observed. Written only while `holder` still holds the lease, so a
 * supervisor that lost an actor cannot overwrite what the new holder reports, and only while the row is at
 * the runner's `generation`, so a runner that has not yet seen a newer actor.Spawn/Restart cannot overwrite
 * its 'pending' with a late 'stopped' or 'failed' (which would lose the command: failed actors are not started).
 * A killed actor's state is written whatever its generation: nobody else would report it.
 */
export async function recordObserved(db: CommonQueryMethods, actorId: string, holder: string, generation: number, change: ObservedChange): Promise<void> {
  const restarts = change.restarts === undefined ? sql.fragment`restarts` : sql.fragment`${change.restarts}`;
  const lastError = change.lastError === undefined ? sql.fragment`last_error` : sql.fragment`${change.lastError === null ? null : sql.jsonb(change.lastError as never)}`;
  await db.query(sql.unsafe`
    UPDATE actors SET state = ${change.state}, restarts = ${restarts}, last_error = ${lastError}, updated_at = now()
    WHERE id = ${actorId} AND (generation = ${generation} OR desired = 'stopped')
      AND EXISTS (SELECT 1 FROM actor_leases WHERE actor_id = ${actorId} AND holder = ${holder})`);
}

// The control plane's writes, each run inside the command's batch transaction (ctx.db).

/** actor.Spawn: a new id, or one that was killed (desired 'stopped'). Returns false when the id is already desired running. */
export async function spawnActor(db: CommonQueryMethods, spec: ActorSpec, commandId: string): Promise<boolean> {
  const id = await db.maybeOneFirst(sql.type(v.object({ id: v.string() }))`
    INSERT INTO actors (id, kind, config, last_command_id) VALUES (${spec.id}, ${spec.kind}, ${sql.jsonb(spec.config as never)}, ${commandId})
    ON CONFLICT (id) DO UPDATE
      SET kind = excluded.kind, config = excluded.config, desired = 'running', state = 'pending', restarts = 0, last_error = NULL,
          generation = actors.generation + 1, last_command_id = excluded.last_command_id, updated_at = now()
      WHERE actors.desired = 'stopped'
    RETURNING id`);
  return id !== null;
}

/** actor.Kill: desired 'stopped'. Returns false for an unknown id. */
export async function killActor(db: CommonQueryMethods, actorId: string, commandId: string): Promise<boolean> {
  const id = await db.maybeOneFirst(sql.type(v.object({ id: v.string() }))`
    UPDATE actors SET desired = 'stopped', last_command_id = ${commandId}, updated_at = now() WHERE id = ${actorId} RETURNING id`);
  return id !== null;
}

/**
 * actor.Restart: a new generation, which every supervisor sees as "stop it and start it again". It also
 * revives a failed or killed actor, with its restart count reset. Returns false for an unknown id.
 */
export async function restartActor(db: CommonQueryMethods, actorId: string, commandId: string): Promise<boolean> {
  const id = await db.maybeOneFirst(sql.type(v.object({ id: v.string() }))`
    UPDATE actors SET generation = generation + 1, desired = 'running', last_command_id = ${commandId}, updated_at = now(),
      state = CASE WHEN state IN ('failed', 'stopped') THEN 'pending' ELSE state END,
      restarts = CASE WHEN state = 'failed' THEN 0 ELSE restarts END
    WHERE id = ${actorId} RETURNING id`);
  return id !== null;
}

/**
 * After actor.Kill of an actor that no supervisor holds (failed, pending, already stopped), nobody would
 * report the outcome: mark it stopped here. Returns its kind when it did, else null.
 */
export async function markStoppedIfUnheld(db: CommonQueryMethods, actorId: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(v.object({ kind: v.string() }))`
    UPDATE actors SET state = 'stopped', updated_at = now()
    WHERE id = ${actorId} AND NOT EXISTS (SELECT 1 FROM actor_leases WHERE actor_id = ${actorId} AND expires_at >= clock_timestamp())
    RETURNING kind`);
}
