// `weaver runs list|show`: runs and their results, read from WallE's tables.
import type { Command } from 'commander';
import { readBacktestResult } from '../repos/results.ts';
import { makeEvent, RunStopRequested } from '../../protocol/index.ts';
import { createPostgresEventLog } from '../eventlog/postgres/index.ts';
import { getRun, listInstances, listRuns, TERMINAL_RUN_STATUSES } from '../repos/runs.ts';
import { printResult, resultJson } from './backtest-output.ts';
import { attachDatabase, cliConfig, explainQueryError } from './database.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { formatTable, printJson, printLine } from './output.ts';

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('runs (backtests, live runs) and their results');
  registerStop(runs);
  runs
    .command('list')
    .description('the latest runs, newest first')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
    .option('--json', 'print a JSON array')
    .action(async (flags: { limit: number; json?: boolean }) => {
      if (!Number.isInteger(flags.limit) || flags.limit < 1 || flags.limit > 1000) throw new CliError(EXIT.usage, 'bad_usage', '--limit must be an integer from 1 to 1000');
      await withDb(async (db) => {
        const rows = await listRuns(db, flags.limit);
        if (flags.json) return printJson(rows.map((r) => ({ id: r.id, mode: r.mode, status: r.status, name: r.spec.name, timeframe: r.spec.timeframe, from: r.spec.from, to: r.spec.to, instances: r.spec.instances.map((i) => ({ instance_id: i.instance_id, strategy: i.strategy, params: i.params, symbols: i.symbols })), created_at: r.created_at, started_at: r.started_at, ended_at: r.ended_at, error: r.error })));
        if (rows.length === 0) return printLine('no runs yet: try `weaver backtest --help`');
        printLine(
          formatTable(
            [
              { header: 'id', value: (r) => r.id },
              { header: 'mode', value: (r) => r.mode },
              { header: 'status', value: (r) => r.status },
              { header: 'strategies', value: (r) => r.spec.instances.map((i) => `${i.strategy}(${i.symbols.join(',')})`).join(' ') },
              { header: 'timeframe', value: (r) => r.spec.timeframe },
              { header: 'from', value: (r) => r.spec.from?.slice(0, 10) },
              { header: 'to', value: (r) => r.spec.to?.slice(0, 10) },
              { header: 'created', value: (r) => r.created_at.replace('T', ' ').slice(0, 19) },
            ],
            rows,
          ),
        );
      });
    });
  runs
    .command('show')
    .description('one run: its status, instances and (for a backtest) statistics, orders and fills')
    .argument('<run-id>')
    .option('--json', 'print one JSON object')
    .action(async (id: string, flags: { json?: boolean }) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(EXIT.usage, 'bad_usage', `${id} is not a run id (a UUID; see weaver runs list)`);
      await withDb(async (db) => {
        const result = await readBacktestResult(db, id);
        if (!result) throw new CliError(EXIT.usage, 'not_found', `no run ${id} (see weaver runs list)`);
        const instances = await listInstances(db, id);
        if (flags.json) return printJson({ ...resultJson(result), instance_statuses: instances.map((i) => ({ instance_id: i.id, status: i.status })) });
        printResult(result);
      });
    });
}

function registerStop(runs: Command): void {
  runs
    .command('stop')
    .description('ask a running run to stop: its strategies stop where they are, and it ends `stopped` with its results so far')
    .argument('<run-id>')
    .option('--json', 'print one JSON object')
    .action(async (id: string, flags: { json?: boolean }) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(EXIT.usage, 'bad_usage', `${id} is not a run id (a UUID; see weaver runs list)`);
      await withDb(async (db, url) => {
        const run = await getRun(db, id);
        if (!run) throw new CliError(EXIT.usage, 'not_found', `no run ${id} (see weaver runs list)`);
        if ((TERMINAL_RUN_STATUSES as readonly string[]).includes(run.status)) throw new CliError(EXIT.rejected, 'run_finished', `run ${id} is already ${run.status}; there is nothing to stop`);
        const log = await createPostgresEventLog({ url, pool: db });
        const event = makeEvent(RunStopRequested, { run_id: id, reason: 'requested with weaver runs stop' }, 'cli', { run_id: id });
        await log.publish([event]).finally(() => log.close());
        if (flags.json) printJson({ run_id: id, stop_requested: true, event_id: event.id });
        else printLine(`stop requested for run ${id} (it was ${run.status}); follow it with weaver runs show ${id}`);
      });
    });
}

async function withDb(fn: (db: Awaited<ReturnType<typeof attachDatabase>>['pool'], url: string) => Promise<void>): Promise<void> {
  const attached = await attachDatabase(cliConfig());
  try {
    await fn(attached.pool, attached.url).catch((error: unknown) => {
      throw explainQueryError(error);
    });
  } finally {
    await attached.close();
  }
}
