// `weaver backtest`: one strategy over stored bars through the full actor pipeline. Through the running
// Weaver's gateway when one answers (backtest-gateway.ts); standalone otherwise: it opens the database
// itself (starting the embedded Postgres if need be), migrates, runs a supervisor with the backtest actors
// unless a live one runs them, prints the result and stops everything it started.
import { Option, type Command } from 'commander';
import { sql, type DatabasePool } from 'slonik';
import * as v from 'valibot';
import { BACKTEST_ACTORS } from '../../actors/index.ts';
import { TIMEFRAMES, WeaverError, type RunSpec } from '../../protocol/index.ts';
import { parseParamAssignments } from '../../actors/marvin/params.ts';
import { runOnPipeline } from '../backtest/pipeline.ts';
import { buildRunSpec, fitToData } from '../backtest/spec.ts';
import type { Config } from '../config.ts';
import { importCandles } from '../data/import.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { createPostgresEventLog } from '../eventlog/postgres/index.ts';
import type { EventLog } from '../eventlog/types.ts';
import { createLogger } from '../log.ts';
import { createPostgresCandleSource } from '../market-data/postgres.ts';
import { startSupervisor, type Supervisor } from '../supervisor/index.ts';
import { printResult, printResultJson } from './backtest-output.ts';
import { backtestViaGateway } from './backtest-gateway.ts';
import { attachDatabase, cliConfig, notRunning } from './database.ts';
import { CliError, EXIT } from './exit-codes.ts';
import type { GatewayClient } from './gateway-client.ts';
import { gatewayClient, urlOption } from './gateway-options.ts';
import { note } from './output.ts';
import { progress } from './progress.ts';
import { onShutdownSignal } from './shutdown.ts';

/** WeaverError codes that are the user's input to fix: exit 2, nothing written. */
const BAD_INPUT = new Set(['unknown_strategy', 'invalid_params', 'invalid_date', 'invalid_date_range', 'invalid_timeframe', 'invalid_argument', 'missing_data', 'invalid_file', 'unreadable_file', 'invalid_symbol', 'bad_usage']);

interface BacktestFlags {
  strategy: string;
  symbol: string[];
  timeframe: string;
  from?: string;
  to?: string;
  data?: string;
  param: string[];
  cash?: number;
  commissionRate?: number;
  commissionPerShare?: number;
  commissionMin?: number;
  slippageBps?: number;
  volumeCap?: number;
  fill: string;
  name?: string;
  json?: boolean;
  url?: string;
}

const number = (flag: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(EXIT.usage, 'invalid_argument', `${flag} ${value}: expected a number`);
  return n;
};

export function registerBacktest(program: Command): void {
  const command = program
    .command('backtest')
    .description('backtest a strategy over stored bars through the full actor pipeline and print its statistics')
    .requiredOption('--strategy <name>', 'strategy name (sma_cross, breakout, …)')
    .requiredOption('--symbol <symbol...>', 'symbol(s) to trade (see weaver data list)')
    .addOption(new Option('--timeframe <tf>', 'bar length').choices(TIMEFRAMES).makeOptionMandatory())
    .option('--from <date>', 'first bar to replay: 2006-01-02 or an ISO time with a zone (default: the first stored bar)')
    .option('--to <date>', 'last bar to replay, inclusive (default: the last stored bar)')
    .option('--data <file>', 'import this CSV file for --symbol first (see weaver data import)')
    .option('--param <k=v>', 'strategy parameter, repeatable (see weaver strategies)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--cash <n>', 'starting cash (default 10000)', number('--cash'))
    .option('--commission-rate <r>', 'commission as a fraction of notional, e.g. 0.001', number('--commission-rate'))
    .option('--commission-per-share <n>', 'commission per share', number('--commission-per-share'))
    .option('--commission-min <n>', 'minimum commission per fill', number('--commission-min'))
    .option('--slippage-bps <n>', 'slippage of market and stop fills, in basis points', number('--slippage-bps'))
    .option('--volume-cap <share>', 'fill at most this share of a bar\'s volume per bar (0–1)', number('--volume-cap'))
    .addOption(new Option('--fill <model>', 'market orders fill at the next bar\'s open or close').choices(['next_open', 'close']).default('next_open'))
    .option('--name <text>', 'a name for the run')
    .option('--json', 'print the result as one JSON object');
  urlOption(command)
    .addHelpText(
      'after',
      `
A decision on a bar's close fills on the next bar at the earliest (no look-ahead).

When a Weaver gateway answers (--url, WEAVER_URL or WEAVER_HOST:WEAVER_PORT), the run is created there
(POST /runs) and followed over its event stream; Ctrl-C then stops following, not the run (stop it with
weaver runs stop ID). With no gateway answering (and no --url), the command runs standalone on the
database: it uses a running Weaver's actors, or starts them itself for the run and stops them after.
--data always imports straight into the database (DATABASE_URL or the embedded one under WEAVER_HOME),
also when the run then goes through a gateway: both must be the same Weaver's.

Examples:
  $ weaver backtest --strategy sma_cross --symbol DEMO_ACME --timeframe 1m --from 2025-06-01 --to 2025-06-30 --param fast=20 --param slow=100
  $ weaver backtest --data ../shared/data/backtrader/2006-day-001.txt --symbol BT2006 --timeframe 1d \\
      --strategy sma_cross --param fast=1 --param slow=15 --param qty=1 --cash 10000 --commission-rate 0 --fill next_open --json`,
    )
    .action(runBacktest);
}

async function runBacktest(flags: BacktestFlags): Promise<void> {
  const config = cliConfig();
  // stdout is the result: everything else (ours, the supervisor's, the workers') goes to stderr.
  process.env.WEAVER_LOG_FD = '2';
  process.env.WEAVER_LOG_LEVEL ??= 'warn';
  const spec0 = badInput(() =>
    buildRunSpec({
      strategy: flags.strategy,
      symbols: flags.symbol.map((s) => s.toUpperCase()),
      timeframe: flags.timeframe,
      from: flags.from ?? null,
      to: flags.to ?? null,
      params: parseParamAssignments(flags.param),
      cash: flags.cash,
      commissionRate: flags.commissionRate,
      commissionPerShare: flags.commissionPerShare,
      commissionMinimum: flags.commissionMin,
      slippageBps: flags.slippageBps,
      volumeCap: flags.volumeCap ?? null,
      fill: flags.fill,
      name: flags.name ?? null,
    }),
  );
  if (flags.data && flags.symbol.length !== 1) throw new CliError(EXIT.usage, 'bad_usage', '--data imports one file for one symbol: give a single --symbol');
  const gateway = gatewayClient(flags, config);
  if (flags.url !== undefined || (await gateway.alive())) await throughGateway(gateway, flags, config, spec0);
  else await standalone(flags, config, spec0);
}

/** The run in the Weaver behind the gateway; --data goes straight into the database first. */
async function throughGateway(client: GatewayClient, flags: BacktestFlags, config: Config, spec: RunSpec): Promise<void> {
  if (flags.data) {
    const attached = await attachDatabase(config);
    const log = await createPostgresEventLog({ url: attached.url, pool: attached.pool });
    try {
      await importData(log, flags);
    } finally {
      await log.close().catch(() => {});
      await attached.close().catch(() => {});
    }
  }
  const bar = flags.json && !process.stderr.isTTY ? null : progress(`backtest ${flags.strategy} ${flags.symbol.join(',')} ${flags.timeframe}`);
  const t0 = performance.now();
  const result = await backtestViaGateway({ client, spec, bar, quiet: flags.json === true });
  if (!flags.json) note(`run ${result.status} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (flags.json) printResultJson(result);
  else printResult(result);
  if (result.status === 'failed') process.exitCode = EXIT.unexpected; // stopped (asked for) is not an error
}

async function standalone(flags: BacktestFlags, config: Config, spec0: RunSpec): Promise<void> {
  const started: { db: Database | null; supervisor: Supervisor | null } = { db: null, supervisor: null };
  const abort = new AbortController();
  const signals = onShutdownSignal(createLogger('backtest'), async () => abort.abort());
  let pool: DatabasePool | null = null;
  let log: EventLog | null = null;
  try {
    started.db = await open(config);
    await migrate(started.db.url);
    pool = await createPool(started.db.url, { maximumPoolSize: 3, applicationName: 'weaver backtest' });
    log = await createPostgresEventLog({ url: started.db.url, pool });
    if (flags.data) await importData(log, flags);
    const spec = await badInputAsync(() => fitToData(spec0, createPostgresCandleSource(pool!)));
    const bars = await countTicks(pool, spec);
    started.supervisor = await ensureActors(pool, config, started.db.url);
    const bar = flags.json && !process.stderr.isTTY ? null : progress(`backtest ${flags.strategy} ${flags.symbol.join(',')} ${flags.timeframe}`);
    const t0 = performance.now();
    const result = await runOnPipeline({ log, db: pool, spec, barsPerInstance: bars, signal: abort.signal, onProgress: (p) => bar?.update(p.done, p.total, p.status) });
    bar?.finish();
    if (!flags.json) note(`${bars * spec.instances.length} bars in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (started.supervisor) await marvinsStopped(pool, spec);
    if (flags.json) printResultJson(result);
    else printResult(result);
    if (result.status === 'failed') process.exitCode = EXIT.unexpected; // stopped (asked for) is not an error
  } finally {
    signals.dispose();
    await started.supervisor?.stop().catch(() => {});
    await log?.close().catch(() => {});
    await pool?.end().catch(() => {});
    await started.db?.close().catch(() => {});
  }
}

/** --data: the file's bars for the one --symbol, written before the run. */
async function importData(log: EventLog, flags: BacktestFlags): Promise<void> {
  const summary = await badInputAsync(() => importCandles({ log, file: flags.data!, symbol: flags.symbol[0]!, timeframe: flags.timeframe as RunSpec['timeframe'] }));
  note(`imported ${summary.rows} ${summary.timeframe} bars of ${summary.symbol} from ${flags.data} (${summary.from} … ${summary.to})`);
}

/** DATABASE_URL, the running embedded Postgres, or a new one under WEAVER_HOME. */
async function open(config: Config): Promise<Database> {
  try {
    return await openDatabase({ databaseUrl: config.databaseUrl, home: config.home, log: () => {} });
  } catch (error) {
    if (config.databaseUrl) throw notRunning(config, error);
    throw error;
  }
}

const Count = v.object({ n: v.number() });

/** The ticks of the run: distinct bar starts of its symbols in the range. */
async function countTicks(pool: DatabasePool, spec: RunSpec): Promise<number> {
  const symbols = [...new Set(spec.instances.flatMap((i) => i.symbols))];
  return pool.oneFirst(sql.type(Count)`
    SELECT count(DISTINCT ts)::int AS n FROM candles
    WHERE symbol = ANY(${sql.array(symbols, 'text')}) AND timeframe = ${spec.timeframe} AND ts >= ${spec.from}::timestamptz AND ts <= ${spec.to}::timestamptz`);
}

const Live = v.object({ live: v.number(), actors: v.number() });

/** A supervisor of our own unless a live one already runs every backtest actor. */
async function ensureActors(pool: DatabasePool, config: Config, url: string): Promise<Supervisor | null> {
  const row = await pool.one(sql.type(Live)`
    SELECT (SELECT count(*)::int FROM supervisors WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => ${config.leaseTtlMs / 1000})) AS live,
           (SELECT count(*)::int FROM actors WHERE id = ANY(${sql.array([...BACKTEST_ACTORS], 'text')}) AND desired = 'running') AS actors`);
  if (row.live > 0 && row.actors === BACKTEST_ACTORS.length) return null;
  const supervisor = await startSupervisor({ config, databaseUrl: url, log: createLogger('weaver') });
  await supervisor.ensureActors(BACKTEST_ACTORS.map((kind) => ({ id: kind, kind, config: {} })));
  return supervisor;
}

const Pending = v.object({ n: v.number() });

/** Our supervisor is about to stop: let it stop the run's Marvin actors first (the router kills them when the run settles). */
async function marvinsStopped(pool: DatabasePool, spec: RunSpec): Promise<void> {
  const ids = spec.instances.map((i) => `marvin:${i.instance_id}`);
  for (let i = 0; i < 50; i++) {
    const n = await pool.oneFirst(sql.type(Pending)`SELECT count(*)::int AS n FROM actors WHERE id = ANY(${sql.array(ids, 'text')}) AND desired = 'running'`);
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function badInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw asUsage(error);
  }
}

async function badInputAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw asUsage(error);
  }
}

function asUsage(error: unknown): unknown {
  if (error instanceof WeaverError && !(error instanceof CliError) && BAD_INPUT.has(error.code)) return new CliError(EXIT.usage, error.code, error.message, error.details);
  return error;
}
