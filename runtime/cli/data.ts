// `weaver data import|demo|list`: candles into and out of the database. import and demo write through
// WallE's candle writer with their data.CandlesImported events in one transaction (runtime/data/); list
// reads the table. A bad file, symbol or option is bad input (exit 2) and writes nothing.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { WeaverError } from '../../protocol/errors.ts';
import { TIMEFRAMES, type Timeframe } from '../../protocol/timeframes.ts';
import { DEMO_DEFAULTS, DEMO_END_MS, DEMO_SYMBOLS, demoSymbols, writeDemoData } from '../data/demo.ts';
import { CSV_FORMATS, type CsvFormat } from '../data/formats.ts';
import { importCandles } from '../data/import.ts';
import { formatTimestamp } from '../data/timestamps.ts';
import { createPostgresEventLog } from '../eventlog/postgres/index.ts';
import type { EventLog } from '../eventlog/types.ts';
import { attachDatabase, cliConfig, explainQueryError } from './database.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { formatTable, note, printJson, printLine } from './output.ts';
import { progress } from './progress.ts';
import { listCandleSeries } from './sql/list-candles.ts';

/** Files from this size on show a progress bar (smaller ones are done before it would be seen). */
const PROGRESS_FROM_BYTES = 1024 * 1024;
/** WeaverError codes that mean bad input: exit 2, nothing written. */
const BAD_INPUT = new Set(['invalid_file', 'unreadable_file', 'invalid_symbol', 'invalid_argument']);

export function registerData(program: Command): void {
  const data = program
    .command('data')
    .description('candles: import CSV files, write demo data, list what the database holds')
    .addHelpText('after', '\nExamples:\n  $ weaver data import spy-1d.csv --symbol SPY --timeframe 1d\n  $ weaver data demo --symbols 2 --days 30\n  $ weaver data list');

  data
    .command('import')
    .description('import a CSV file of bars for one symbol and timeframe (validated first; all rows or none)')
    .argument('<file>', 'CSV file with a header line')
    .requiredOption('--symbol <symbol>', 'symbol the bars belong to (stored in upper case), e.g. AAPL, BRK.B, BTC/USD')
    .addOption(new Option('--timeframe <timeframe>', 'bar length of the file').choices(TIMEFRAMES).makeOptionMandatory())
    .addOption(new Option('--format <format>', 'header check').choices(CSV_FORMATS).default('auto'))
    .option('--source <name>', 'kept with every row (default: csv:<file name>)')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      `
Columns are found by header name, case-insensitively, in any order: a time column (timestamp, Datetime,
Date or time; Date beside Time is joined) and Open, High, Low, Close, with Volume optional (0 if absent).
Other columns (Adj Close, OpenInterest, …) are ignored. Comma, semicolon or tab separated.
  --format auto        detect from the header (default)
  --format yahoo       header must be Date,Open,High,Low,Close,Adj Close,Volume (Close is used, not Adj Close)
  --format backtrader  header must be Date,Open,High,Low,Close,Volume,OpenInterest
  --format generic     any header with the columns above

Times: a date (2006-01-02) is the bar starting 00:00 UTC that day; a date-time with a zone (Z, +02:00) is
honoured; a date-time WITHOUT a zone is read as UTC; a number is epoch seconds (below 1e11) or milliseconds.
Each time must be the start of a bar of --timeframe (1h bars on the hour, 1d bars at 00:00 UTC).

The whole file is checked before anything is written; a problem is reported with its line number (exit 2).
Rows out of time order are sorted; a timestamp twice is refused. Importing the same bars again changes
nothing; changed bars are updated. Rows and a data.CandlesImported event commit in one transaction.

Examples:
  $ weaver data import ../shared/data/backtrader/2006-day-001.txt --symbol BT2006 --timeframe 1d
  $ weaver data import btc-1m.csv --symbol BTC/USD --timeframe 1m --format generic --source binance --json`,
    )
    .action(runImport);

  data
    .command('demo')
    .description(`write deterministic demo bars: 1m, 24/7, ending ${formatTimestamp(DEMO_END_MS)} (weaver start does this on an empty database)`)
    .option('--symbols <n>', `how many demo symbols, 1 to ${DEMO_SYMBOLS.length} (${DEMO_SYMBOLS.map((s) => s.symbol).join(', ')})`, integer, DEMO_DEFAULTS.symbols)
    .option('--seed <n>', 'random seed: the same seed gives the same bars', integer, DEMO_DEFAULTS.seed)
    .option('--days <n>', 'days of 1m bars per symbol', integer, DEMO_DEFAULTS.days)
    .option('--json', 'print the summary as one JSON object')
    .addHelpText('after', '\nAll symbols are written in one transaction (all or nothing); existing bars of those symbols are overwritten.\n\nExamples:\n  $ weaver data demo\n  $ weaver data demo --symbols 1 --days 7 --seed 42 --json')
    .action(runDemo);

  data
    .command('list')
    .description('every series in the database: symbol, timeframe, bars, first and last bar start, sources')
    .option('--json', 'print a JSON array instead of a table')
    .action(runList);
}

interface ImportFlags {
  symbol: string;
  timeframe: Timeframe;
  format: CsvFormat;
  source?: string;
  json?: boolean;
}

async function runImport(file: string, flags: ImportFlags): Promise<void> {
  const big = ((await stat(file).catch(() => null))?.size ?? 0) >= PROGRESS_FROM_BYTES;
  const bar = progress(`importing ${basename(file)}`);
  await withLog(async (log) => {
    const summary = await importCandles({
      log,
      file,
      symbol: flags.symbol,
      timeframe: flags.timeframe,
      format: flags.format,
      source: flags.source,
      onProgress: ({ phase, done, total }) => {
        if (big) bar.update(done, total, phase === 'parse' ? 'checking' : `writing ${count(done)} / ${count(total)} rows`);
      },
    }).finally(() => bar.finish());
    for (const warning of summary.warnings) note(`warning: ${warning}`);
    if (flags.json) return printJson(summary);
    printLine(`imported ${count(summary.rows)} ${summary.timeframe} bars of ${summary.symbol} (${summary.format} format) from ${summary.from} to ${summary.to}`);
  });
}

async function runDemo(flags: { symbols: number; seed: number; days: number; json?: boolean }): Promise<void> {
  const options = { symbols: flags.symbols, seed: flags.seed, days: flags.days };
  try {
    demoSymbols(options);
  } catch (error) {
    throw asCliError(error);
  }
  const bar = progress('demo data');
  await withLog(async (log) => {
    const summary = await writeDemoData(log, { ...options, producer: 'cli', onProgress: (p) => bar.update(p.rowsWritten, p.rowsTotal, p.symbol) }).finally(() => bar.finish());
    if (flags.json) return printJson(summary);
    const first = summary.symbols[0]!;
    printLine(`wrote ${count(summary.rows)} 1m bars of ${summary.symbols.map((s) => s.symbol).join(', ')} from ${first.from} to ${first.to} (seed ${summary.seed})`);
  });
}

async function runList(flags: { json?: boolean }): Promise<void> {
  const db = await attachDatabase(cliConfig());
  try {
    const rows = await listCandleSeries(db.pool).catch((e: unknown) => Promise.reject(explainQueryError(e)));
    if (flags.json) return printJson(rows);
    if (rows.length === 0) return printLine('no candles yet: `weaver data import FILE --symbol S --timeframe TF`, or `weaver data demo`');
    printLine(
      formatTable(
        [
          { header: 'symbol', value: (r) => r.symbol },
          { header: 'timeframe', value: (r) => r.timeframe },
          { header: 'bars', value: (r) => count(r.bars), align: 'right' },
          { header: 'first', value: (r) => r.first },
          { header: 'last', value: (r) => r.last },
          { header: 'sources', value: (r) => r.sources.join(', ') },
        ],
        rows,
      ),
    );
  } finally {
    await db.close();
  }
}

/** Attach to the running Weaver, give `fn` an event log on the CLI's pool, close both. */
async function withLog(fn: (log: EventLog) => Promise<void>): Promise<void> {
  const db = await attachDatabase(cliConfig());
  const log = await createPostgresEventLog({ url: db.url, pool: db.pool });
  try {
    await fn(log).catch((error: unknown) => Promise.reject(asCliError(error)));
  } finally {
    await log.close();
    await db.close();
  }
}

function asCliError(error: unknown): unknown {
  if (error instanceof WeaverError && !(error instanceof CliError) && BAD_INPUT.has(error.code)) {
    return new CliError(EXIT.usage, error.code, error.message, error.details);
  }
  return explainQueryError(error);
}

function integer(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be an integer.');
  return Number(value);
}

const count = (n: number) => n.toLocaleString('en-US');
