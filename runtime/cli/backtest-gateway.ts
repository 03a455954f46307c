// `weaver backtest` through a running Weaver's gateway: POST /runs with the checked spec, follow the run's
// ui.RunStatus and ui.BacktestProgress events over SSE (opened before the POST, so none is missed) to drive
// the progress bar, poll GET /runs/:id every second as a backstop, and read the result at GET
// /backtests/:run_id once WallE has recorded the end. Ctrl-C stops following, not the run.
import type { RunSpec } from '../../protocol/index.ts';
import type { BacktestResult } from '../backtest/result.ts';
import { followEvents, interruptible, type WireEvent } from './event-stream.ts';
import { CliError, EXIT } from './exit-codes.ts';
import type { GatewayClient } from './gateway-client.ts';
import { note } from './output.ts';
import type { Progress } from './progress.ts';

const TERMINAL = new Set(['completed', 'failed', 'stopped']);
/** A run's statuses in the order it goes through them (the three terminal ones last). */
const RANK = ['created', 'starting', 'running', 'stopping', 'completed', 'failed', 'stopped'];
const POLL_MS = 1000;
/** After the stream says the run ended: how often to look for WallE's record of it. */
const SETTLE_POLL_MS = 100;
/** A run not running after this long has no router picking it up. (Once running, progress events come per
 * strategy window fetch, which can be far apart: a running run is followed for as long as it takes.) */
const STALL_MS = 60_000;

interface RunAnswer {
  status: string;
  from: string | null;
  to: string | null;
  /** Null while the run is known from the log only (WallE has not recorded it yet). */
  created_at: string | null;
}

export interface GatewayBacktestOptions {
  readonly client: GatewayClient;
  /** Checked locally (buildRunSpec): sent as POST /runs' body; the gateway fits it to the data. */
  readonly spec: RunSpec;
  readonly bar: Progress | null;
  readonly quiet: boolean;
}

/** The body of POST /runs for a spec built from the CLI flags. */
export function runRequest(spec: RunSpec): Record<string, unknown> {
  return {
    mode: 'backtest',
    name: spec.name,
    timeframe: spec.timeframe,
    from: spec.from,
    to: spec.to,
    cash: spec.cash,
    fill: spec.fill,
    instances: spec.instances.map((i) => ({ strategy: i.strategy, symbols: i.symbols, params: i.params })),
    start: true,
  };
}

export async function backtestViaGateway(opts: GatewayBacktestOptions): Promise<BacktestResult> {
  const { client, bar } = opts;
  const ctrlC = interruptible();
  const stream = new AbortController();
  let wake = () => {};
  ctrlC.signal.addEventListener(
    'abort',
    () => {
      stream.abort();
      wake();
    },
    { once: true },
  );
  let runId: string | null = null;
  const early: WireEvent[] = [];
  let range: { from: number; to: number } | null = null;
  let status = 'starting';
  const reached = new Map<string, number>();
  /** The share of the range the instances have reached (each from its latest ui.BacktestProgress). */
  const done = () => [...reached.values()].reduce((a, b) => a + b, 0) / opts.spec.instances.length;

  const handle = (e: WireEvent) => {
    if (e.run_id !== runId) return;
    if (e.type === 'ui.RunStatus') {
      status = String(e.payload.status);
      if (TERMINAL.has(status)) wake();
    } else if (e.type === 'ui.BacktestProgress' && range) {
      const span = Math.max(1, range.to - range.from);
      reached.set(String(e.payload.instance_id), Math.min(1, Math.max(0, (Date.parse(String(e.payload.at)) - range.from) / span)));
    }
    bar?.update(status === 'completed' ? 1 : done(), 1, status);
  };

  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const following = followEvents(client, {
    types: ['ui.RunStatus', 'ui.BacktestProgress'],
    signal: stream.signal,
    onConnected: () => opened(),
    onDrop: (why) => note(`event stream lost (${why}); reconnecting…`),
    onEvent: (e) => (runId === null ? early.push(e) : handle(e)),
  });
  try {
    await Promise.race([open, following]);
    if (ctrlC.signal.aborted) throw interrupted(null);
    runId = (await client.post<{ run_id: string }>('/runs', runRequest(opts.spec))).run_id;
    if (!opts.quiet) note(`run ${runId} in the Weaver at ${client.target.url} (Ctrl-C stops following it, not the run)`);
    const first = await client.get<RunAnswer>(`/runs/${runId}`);
    if (first.from && first.to) range = { from: Date.parse(first.from), to: Date.parse(first.to) };
    for (const e of early.splice(0)) handle(e);
    // The stream's end of the run wakes us at once; WallE's row (GET /runs/:id) says when the results are in.
    let run = first;
    const posted = Date.now();
    for (;;) {
      if (TERMINAL.has(run.status) && run.created_at !== null) break;
      if (ctrlC.signal.aborted) throw interrupted(runId);
      if ((status === 'created' || status === 'starting') && Date.now() - posted > STALL_MS) {
        throw new CliError(EXIT.unexpected, 'run_stalled', `run ${runId} is still ${status} after ${STALL_MS / 1000} s: is the router actor running in that Weaver? See weaver actors list (stop the run with weaver runs stop ${runId})`, { run_id: runId, status });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, TERMINAL.has(status) ? SETTLE_POLL_MS : POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      run = await client.get<RunAnswer>(`/runs/${runId}`);
      // The backstop: a status the stream has not delivered (yet) counts once it is past the stream's.
      if (RANK.indexOf(run.status) > RANK.indexOf(status)) status = run.status;
    }
    bar?.update(run.status === 'completed' ? 1 : done(), 1, run.status);
    return await client.get<BacktestResult>(`/backtests/${runId}`);
  } finally {
    bar?.finish();
    stream.abort();
    await following.catch(() => {});
    ctrlC.dispose();
  }
}

function interrupted(runId: string | null): CliError {
  if (runId === null) return new CliError(EXIT.unexpected, 'interrupted', 'interrupted before the run was created; nothing was started');
  return new CliError(
    EXIT.unexpected,
    'interrupted',
    `stopped following run ${runId}; it goes on in the running Weaver: see it with weaver runs show ${runId}, stop it with weaver runs stop ${runId}`,
    { run_id: runId },
  );
}
