// A run's status as the log has it: its run.* events in order. WallE's runs row follows the same events a
// batch later; a request that must not act on a stale status (start, stop) or that comes right after
// POST /runs asks the log.
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { RUN_STATUS_AFTER, TERMINAL_RUN_STATUS, type RunSpec, type RunStatus } from '../../protocol/index.ts';

const EventRow = v.object({ type: v.string(), payload: v.unknown() });

export type LoggedRunStatus = RunStatus;

export interface RunFromLog {
  readonly spec: RunSpec;
  readonly status: LoggedRunStatus;
}

/** Null when the log has no run.Created for this id. */
export async function runFromLog(db: CommonQueryMethods, runId: string): Promise<RunFromLog | null> {
  const rows = await db.any(sql.type(EventRow)`
    SELECT type, payload FROM outbox WHERE run_id = ${runId}::uuid AND type LIKE 'run.%' ORDER BY tx, position`);
  const created = rows.find((r) => r.type === 'run.Created');
  if (!created) return null;
  let status: LoggedRunStatus = 'created';
  for (const r of rows) {
    const next = RUN_STATUS_AFTER[r.type];
    if (next === undefined || TERMINAL_RUN_STATUS.has(status)) continue;
    // A stop asked of a run not yet running does not change it (the router ignores it).
    if (next === 'stopping' && status !== 'running' && status !== 'starting') continue;
    if (next === 'starting' && status !== 'created') continue;
    status = next;
  }
  return { spec: (created.payload as { spec: RunSpec }).spec, status };
}
