// `weaver runs list|show|start|stop`: runs and their results, through the running Weaver's gateway
// (--url, WEAVER_API_KEY). When no gateway answers at the configured address (and --url was not given),
// they read WallE's tables and append run.* commands to the log directly, as before the gateway existed.
import type { Command } from 'commander';
import type { BacktestResult } from '../backtest/result.ts';
import type { Config } from '../config.ts';
import { readBacktestResult } from '../repos/results.ts';
import { makeEvent, RunStartRequested, RunStopRequested, type Envelope } from '../../protocol/index.ts';
import { createPostgresEventLog } from '../eventlog/postgres/index.ts';
import { runFromLog } from '../repos/run-log.ts';
import { getRun, listInstances, listRuns, TERMINAL_RUN_STATUSES, type RunView } from '../repos/runs.ts';
import { printResult, resultJson } from './backtest-output.ts';
import { attachDatabase, cliConfig, explainQueryError } from './database.ts';
import { CliError, EXIT } from './exit-codes.ts';
import type { GatewayClient } from './gateway-client.ts';
import { gatewayOrNull, urlOption, type UrlFlag } from './gateway-options.ts';
import { formatTable, printJson, printLine } from './output.ts';

const READ_DIRECTLY = 'reading the database directly';
const WRITE_DIRECTLY = 'appending to the log in the database directly';

/** A run as `runs list` prints it (the same JSON through the gateway or from the database). */
interface RunItem {
  id: string;
  mode: string;
  status: string;
  name: string | null;
  timeframe: string;
  from: string | null;
  to: string | null;
  instances: { instance_id: string; strategy: string; params: Record<string, unknown>; symbols: string[]; status?: string }[];
  created_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  error: unknown;
}

interface Accepted {
  run_id: string;
  status: string;
  event_id: string;
}

type Flags = UrlFlag & { json?: boolean };

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description('runs (backtests, live runs) and their results, through the running Weaver (its gateway; the database when none answers)')
    .addHelpText('after', '\nWith no gateway answering at the configured address (and no --url), these read and write the database directly.');
  urlOption(
    runs
      .command('list')
      .description('the latest runs, newest first')
      .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
      .option('--json', 'print a JSON array'),
  ).action(async (flags: Flags & { limit: number }) => {
    if (!Number.isInteger(flags.limit) || flags.limit < 1 || flags.limit > 1000) throw new CliError(EXIT.usage, 'bad_usage', '--limit must be an integer from 1 to 1000');
    const config = cliConfig();
    const gateway = await gatewayOrNull(flags, config, READ_DIRECTLY);
    const items = gateway
      ? (await gateway.get<{ items: RunItem[] }>(`/runs?limit=${flags.limit}`)).items.map(listed)
      : await withDb(config, async (db) => (await listRuns(db, flags.limit)).map(fromView));
    if (flags.json) return printJson(items);
    if (items.length === 0) return printLine('no runs yet: try `weaver backtest --help`');
    printLine(
      formatTable(
        [
          { header: 'id', value: (r) => r.id },
          { header: 'mode', value: (r) => r.mode },
          { header: 'status', value: (r) => r.status },
          { header: 'strategies', value: (r) => r.instances.map((i) => `${i.strategy}(${i.symbols.join(',')})`).join(' ') },
          { header: 'timeframe', value: (r) => r.timeframe },
          { header: 'from', value: (r) => r.from?.slice(0, 10) },
          { header: 'to', value: (r) => r.to?.slice(0, 10) },
          { header: 'created', value: (r) => r.created_at?.replace('T', ' ').slice(0, 19) },
        ],
        items,
      ),
    );
  });
  urlOption(
    runs
      .command('show')
      .description('one run: its status, instances and (for a backtest) statistics, orders and fills')
      .argument('<run-id>')
      .option('--json', 'print one JSON object'),
  ).action(async (id: string, flags: Flags) => {
    checkId(id);
    const config = cliConfig();
    const gateway = await gatewayOrNull(flags, config, READ_DIRECTLY);
    const { result, statuses } = gateway ? await showViaGateway(gateway, id) : await withDb(config, (db) => showFromDb(db, id));
    if (flags.json) return printJson({ ...resultJson(result), instance_statuses: statuses });
    printResult(result);
  });
  registerControl(runs, 'start', 'start a created run (one made with start: false over the API)');
  registerControl(runs, 'stop', 'ask a running run to stop: its strategies stop where they are, and it ends `stopped` with its results so far');
}

function registerControl(runs: Command, verb: 'start' | 'stop', description: string): void {
  urlOption(runs.command(verb).description(description).argument('<run-id>').option('--json', 'print one JSON object')).action(async (id: string, flags: Flags) => {
    checkId(id);
    const config = cliConfig();
    const gateway = await gatewayOrNull(flags, config, WRITE_DIRECTLY);
    let before: string;
    let eventId: string;
    if (gateway) {
      before = (await gateway.get<RunItem>(`/runs/${id}`)).status;
      eventId = (await gateway.post<Accepted>(`/runs/${id}/${verb}`)).event_id;
    } else {
      ({ before, eventId } = await withDb(config, (db, url) => (verb === 'stop' ? stopInDb : startInDb)(db, url, id)));
    }
    if (flags.json) return printJson({ run_id: id, [`${verb}_requested`]: true, event_id: eventId });
    printLine(`${verb} requested for run ${id} (it was ${before}); follow it with weaver runs show ${id}`);
  });
}

function checkId(id: string): void {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(EXIT.usage, 'bad_usage', `${id} is not a run id (a UUID; see weaver runs list)`);
}

const listed = (r: RunItem): RunItem => ({
  id: r.id,
  mode: r.mode,
  status: r.status,
  name: r.name,
  timeframe: r.timeframe,
  from: r.from,
  to: r.to,
  instances: r.instances.map((i) => ({ instance_id: i.instance_id, strategy: i.strategy, params: i.params, symbols: i.symbols })),
  created_at: r.created_at,
  started_at: r.started_at,
  ended_at: r.ended_at,
  error: r.error,
});

const fromView = (r: RunView): RunItem => listed({ ...r, name: r.spec.name, timeframe: r.spec.timeframe, from: r.spec.from, to: r.spec.to, instances: r.spec.instances });

interface Shown {
  result: BacktestResult;
  statuses: { instance_id: string; status: string }[];
}

async function showViaGateway(gateway: GatewayClient, id: string): Promise<Shown> {
  const run = await gateway.get<RunItem>(`/runs/${id}`);
  const result = await gateway.get<BacktestResult>(`/backtests/${id}`);
  return { result, statuses: run.instances.map((i) => ({ instance_id: i.instance_id, status: i.status ?? 'pending' })) };
}

type Db = Awaited<ReturnType<typeof attachDatabase>>['pool'];

async function showFromDb(db: Db, id: string): Promise<Shown> {
  const result = await readBacktestResult(db, id);
  if (!result) throw new CliError(EXIT.usage, 'not_found', `no run ${id} (see weaver runs list)`);
  const instances = await listInstances(db, id);
  return { result, statuses: instances.map((i) => ({ instance_id: i.id, status: i.status })) };
}

async function stopInDb(db: Db, url: string, id: string): Promise<{ before: string; eventId: string }> {
  const run = await getRun(db, id);
  if (!run) throw new CliError(EXIT.usage, 'not_found', `no run ${id} (see weaver runs list)`);
  if ((TERMINAL_RUN_STATUSES as readonly string[]).includes(run.status)) throw new CliError(EXIT.rejected, 'run_finished', `run ${id} is already ${run.status}; there is nothing to stop`);
  const event = makeEvent(RunStopRequested, { run_id: id, reason: 'requested with weaver runs stop' }, 'cli', { run_id: id });
  await publish(db, url, event);
  return { before: run.status, eventId: event.id };
}

/** The log's word on the run (WallE's row may lag a batch): only a created run can be started. */
async function startInDb(db: Db, url: string, id: string): Promise<{ before: string; eventId: string }> {
  const logged = await runFromLog(db, id);
  if (!logged) throw new CliError(EXIT.usage, 'not_found', `no run ${id} (see weaver runs list)`);
  if (logged.status !== 'created') {
    const finished = (TERMINAL_RUN_STATUSES as readonly string[]).includes(logged.status);
    throw new CliError(EXIT.rejected, finished ? 'run_finished' : 'run_already_started', `run ${id} is ${logged.status}; only a created run can be started`, { run_id: id, status: logged.status });
  }
  const event = makeEvent(RunStartRequested, { run_id: id }, 'cli', { run_id: id });
  await publish(db, url, event);
  return { before: logged.status, eventId: event.id };
}

async function publish(db: Db, url: string, event: Envelope): Promise<void> {
  const log = await createPostgresEventLog({ url, pool: db });
  await log.publish([event]).finally(() => log.close());
}

async function withDb<T>(config: Config, fn: (db: Db, url: string) => Promise<T>): Promise<T> {
  const attached = await attachDatabase(config);
  try {
    return await fn(attached.pool, attached.url).catch((error: unknown) => {
      throw explainQueryError(error);
    });
  } finally {
    await attached.close();
  }
}
