// Reads of runs and their strategy instances (WallE writes them).
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { RunSpec } from '../../protocol/index.ts';

const RunRow = v.object({
  id: v.string(),
  mode: v.string(),
  status: v.string(),
  spec: v.unknown(),
  error: v.nullable(v.unknown()),
  started_at: v.nullable(v.number()),
  ended_at: v.nullable(v.number()),
  created_at: v.number(),
});
const InstanceRow = v.object({ id: v.string(), run_id: v.string(), strategy: v.string(), params: v.unknown(), symbols: v.array(v.string()), status: v.string(), error: v.nullable(v.unknown()) });

export interface RunView {
  id: string;
  mode: string;
  status: string;
  spec: RunSpec;
  error: unknown;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}

export interface InstanceView {
  id: string;
  strategy: string;
  params: Record<string, unknown>;
  symbols: string[];
  status: string;
  error: unknown;
}

export const TERMINAL_RUN_STATUSES = ['completed', 'failed', 'stopped'] as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const toView = (r: v.InferOutput<typeof RunRow>): RunView => ({
  id: r.id,
  mode: r.mode,
  status: r.status,
  spec: r.spec as RunSpec,
  error: r.error,
  created_at: iso(r.created_at)!,
  started_at: iso(r.started_at),
  ended_at: iso(r.ended_at),
});

export async function listRuns(db: CommonQueryMethods, limit = 50): Promise<RunView[]> {
  const rows = await db.any(sql.type(RunRow)`
    SELECT id::text AS id, mode, status, spec, error, started_at, ended_at, created_at FROM runs ORDER BY created_at DESC, id DESC LIMIT ${limit}`);
  return rows.map(toView);
}

export async function getRun(db: CommonQueryMethods, id: string): Promise<RunView | null> {
  const row = await db.maybeOne(sql.type(RunRow)`
    SELECT id::text AS id, mode, status, spec, error, started_at, ended_at, created_at FROM runs WHERE id::text = ${id}`);
  return row ? toView(row) : null;
}

export async function listInstances(db: CommonQueryMethods, runId: string): Promise<InstanceView[]> {
  const rows = await db.any(sql.type(InstanceRow)`
    SELECT id::text AS id, run_id::text AS run_id, strategy, params, symbols, status, error FROM strategy_instances WHERE run_id::text = ${runId} ORDER BY id`);
  return rows.map((r) => ({ id: r.id, strategy: r.strategy, params: r.params as Record<string, unknown>, symbols: r.symbols, status: r.status, error: r.error }));
}
