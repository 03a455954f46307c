// WallE's writes of a run's lifecycle to `runs` and `strategy_instances`: created → running → stopping →
// completed | failed | stopped. Every transition names the states it may leave, so an event seen again
// (at-least-once delivery, or the same payload re-published under a new id) never moves a run backwards:
// a terminal run stays as its first terminal event left it.
import type { CommonQueryMethods } from 'slonik';
import type { ErrorModel, PayloadOf, RunCompleted, RunCreated, RunStarted } from '../../../protocol/index.ts';
import { sql } from '../../../runtime/db/pool.ts';

type InstanceOutcome = PayloadOf<typeof RunCompleted>['instances'][number];

/** run.Created: the run and one pending row per strategy instance; a run id is created once. */
export async function insertRun(db: CommonQueryMethods, p: PayloadOf<typeof RunCreated>, ts: string): Promise<void> {
  const spec = p.spec;
  // created_at is the event's time, so a table rebuilt from the log lists runs as they were created.
  await db.query(sql.unsafe`
    INSERT INTO runs (id, mode, status, spec, created_at)
    VALUES (${spec.run_id}::uuid, ${spec.mode}, 'created', ${sql.jsonb(spec as never)}, ${ts}::timestamptz)
    ON CONFLICT (id) DO NOTHING`);
  await db.query(sql.unsafe`
    INSERT INTO strategy_instances (id, run_id, strategy, params, symbols, status, created_at)
    SELECT i.instance_id, ${spec.run_id}::uuid, i.strategy, i.params,
           ARRAY(SELECT jsonb_array_elements_text(i.symbols)), 'pending', ${ts}::timestamptz
    FROM jsonb_to_recordset(${sql.jsonb(spec.instances as never)}) AS i(instance_id uuid, strategy text, params jsonb, symbols jsonb)
    ON CONFLICT (id) DO NOTHING`);
}

/** run.Started: the run and its pending instances are running (only from created or starting). */
export async function markRunStarted(db: CommonQueryMethods, p: PayloadOf<typeof RunStarted>, ts: string): Promise<void> {
  await db.query(sql.unsafe`
    WITH r AS (
      UPDATE runs SET status = 'running', started_at = coalesce(started_at, ${ts}::timestamptz), updated_at = now()
      WHERE id = ${p.spec.run_id}::uuid AND status IN ('created', 'starting')
      RETURNING id
    )
    UPDATE strategy_instances s SET status = 'running', updated_at = now()
    FROM r WHERE s.run_id = r.id AND s.status = 'pending'`);
}

/**
 * run.StopRequested: stopping, only from starting or running. The router ignores a stop of a run that
 * has not started (it would then start and finish as usual), so a created run stays created here too.
 */
export async function markRunStopping(db: CommonQueryMethods, runId: string): Promise<void> {
  await db.query(sql.unsafe`
    UPDATE runs SET status = 'stopping', updated_at = now()
    WHERE id = ${runId}::uuid AND status IN ('starting', 'running')`);
}

export interface RunOutcome {
  readonly runId: string;
  readonly status: 'completed' | 'failed' | 'stopped';
  readonly error: ErrorModel | null;
  readonly instances: readonly InstanceOutcome[];
  /** The terminal event's time: ended_at. */
  readonly ts: string;
}

/**
 * run.Completed / run.Failed / run.Stopped: the run's end, and each instance's status and error as the
 * event lists them. An instance the event does not list (a run that failed before it started) cannot go
 * on running in an ended run: it is marked stopped. Nothing changes if the run had already ended.
 */
export async function markRunEnded(db: CommonQueryMethods, o: RunOutcome): Promise<void> {
  await db.query(sql.unsafe`
    WITH r AS (
      UPDATE runs SET status = ${o.status}, ended_at = ${o.ts}::timestamptz,
        error = ${o.error === null ? null : sql.jsonb(o.error as never)}, updated_at = now()
      WHERE id = ${o.runId}::uuid AND status NOT IN ('completed', 'failed', 'stopped')
      RETURNING id
    ), listed AS (
      SELECT u.instance_id, u.status, u.error
      FROM jsonb_to_recordset(${sql.jsonb(o.instances as never)}) AS u(instance_id uuid, status text, error jsonb)
    )
    UPDATE strategy_instances s
    SET status = coalesce(t.status, 'stopped'),
        error = CASE WHEN t.listed_id IS NULL THEN s.error ELSE nullif(t.error, 'null'::jsonb) END,
        updated_at = now()
    FROM (
      SELECT i.id, listed.instance_id AS listed_id, listed.status, listed.error
      FROM r JOIN strategy_instances i ON i.run_id = r.id LEFT JOIN listed ON listed.instance_id = i.id
    ) t
    WHERE s.id = t.id AND (t.listed_id IS NOT NULL OR s.status IN ('pending', 'running'))`);
}

/** strategy.Finished: one instance's end, while its run may still be going (only from pending or running). */
export async function markInstanceFinished(db: CommonQueryMethods, instanceId: string, status: 'completed' | 'failed' | 'stopped', error: ErrorModel | null): Promise<void> {
  await db.query(sql.unsafe`
    UPDATE strategy_instances SET status = ${status}, error = ${error === null ? null : sql.jsonb(error as never)}, updated_at = now()
    WHERE id = ${instanceId}::uuid AND status IN ('pending', 'running')`);
}
