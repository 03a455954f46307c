// A backtest through the full actor pipeline on Postgres: append run.Created and run.StartRequested in
// one transaction, follow the run in WallE's tables (progress from the strategy actors' snapshots) until
// it settles, and read its result back. The actors (router, clock, Greta, WallE, and the Marvins the
// router spawns) must be running under some supervisor; `weaver backtest` starts one when none is.
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { makeEvent, RunCreated, RunStartRequested, WeaverError, type RunSpec } from '../../protocol/index.ts';
import type { EventLog } from '../eventlog/types.ts';
import { readBacktestResult } from '../repos/results.ts';
import { getRun, TERMINAL_RUN_STATUSES } from '../repos/runs.ts';
import type { BacktestResult } from './result.ts';

export interface PipelineProgress {
  readonly status: string;
  /** Bars handled, summed over the run's strategy instances, and the total to handle. */
  readonly done: number;
  readonly total: number;
}

export interface PipelineOptions {
  readonly log: EventLog;
  readonly db: CommonQueryMethods;
  /** Checked and fitted to the data (buildRunSpec + fitToData). */
  readonly spec: RunSpec;
  /** Bars per instance (the ticks of the range), for progress. */
  readonly barsPerInstance: number;
  readonly onProgress?: (progress: PipelineProgress) => void;
  readonly pollMs?: number;
  /** Give up when the run shows no progress for this long (default 60 s). */
  readonly stallMs?: number;
  readonly signal?: AbortSignal;
}

const ProgressRow = v.object({ done: v.number() });

/** Create and start the run; resolves with its result once it has settled. */
export async function runOnPipeline(opts: PipelineOptions): Promise<BacktestResult> {
  const { spec, db } = opts;
  const meta = { run_id: spec.run_id };
  await opts.log.transaction(async (tx) => {
    await tx.append([makeEvent(RunCreated, { spec }, 'cli', meta), makeEvent(RunStartRequested, { run_id: spec.run_id }, 'cli', meta)]);
  });
  await followRun(opts);
  const result = await readBacktestResult(db, spec.run_id);
  if (!result) throw new Error(`run ${spec.run_id} vanished from the runs table`);
  return result;
}

/** Wait until the run is completed, failed or stopped, reporting progress. */
export async function followRun(opts: PipelineOptions): Promise<void> {
  const { spec, db } = opts;
  const total = opts.barsPerInstance * spec.instances.length;
  const consumers = spec.instances.map((i) => `marvin:${i.instance_id}`);
  // Progress is any change of status or of bars handled; none for stallMs means nobody is working on it.
  let last = '';
  let lastChange = Date.now();
  for (;;) {
    if (opts.signal?.aborted) throw new WeaverError('interrupted', `stopped waiting for run ${spec.run_id}; it goes on in the running Weaver (see weaver runs show ${spec.run_id})`);
    const run = await getRun(db, spec.run_id);
    const status = run?.status ?? 'pending';
    // A finished instance's actor is gone; its last snapshot still counts its bars.
    const done = await db.oneFirst(sql.type(ProgressRow)`
      SELECT coalesce(sum((state->>'bars')::float8), 0)::float8 AS done FROM consumer_offsets WHERE consumer = ANY(${sql.array(consumers, 'text')})`);
    opts.onProgress?.({ status, done, total });
    if ((TERMINAL_RUN_STATUSES as readonly string[]).includes(status)) return;
    const mark = `${status}:${done}`;
    if (mark !== last) {
      last = mark;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > (opts.stallMs ?? 60_000)) {
      throw new WeaverError(
        'run_stalled',
        `run ${spec.run_id} has made no progress for ${Math.round((opts.stallMs ?? 60_000) / 1000)} s (status ${status}); are the router, clock, greta and walle actors running? See weaver status.`,
        { run_id: spec.run_id, status },
      );
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
}
