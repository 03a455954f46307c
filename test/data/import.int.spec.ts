// Importing candle files into real Postgres: the rows and values that land, idempotence, a bad file writing
// nothing, the data.CandlesImported event committed in the very transaction of the rows, and the worker-pool
// path for big files giving exactly the rows of the in-thread parse.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabasePool } from 'slonik';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeaverError } from '../../protocol/errors.ts';
import { importCandles } from '../../runtime/data/import.ts';
import { parseCandleFile, POOL_THRESHOLD_BYTES } from '../../runtime/data/parse-pool.ts';
import { createPool, sql } from '../../runtime/db/pool.ts';
import { createPostgresEventLog, type PostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import type { EventLog } from '../../runtime/eventlog/types.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

const BT2006 = fileURLToPath(new URL('../../../shared/data/backtrader/2006-day-001.txt', import.meta.url));
const haveSharedData = existsSync(BT2006);
if (!haveSharedData) console.warn(`[skip] ${BT2006} is absent (shared/ test data lives beside the repo): the BT2006 import tests are skipped`);

let pg: TestPostgres;
let pool: DatabasePool;
let log: PostgresEventLog;
let tmp: string;

beforeAll(async () => {
  pg = await startTestPostgres();
  pool = await createPool(pg.url, { maximumPoolSize: 2 });
  log = await createPostgresEventLog({ url: pg.url, poolSize: 2 });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-import-'));
});
afterAll(async () => {
  await log?.close();
  await pool?.end();
  await pg?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

const Row = v.object({ ts: v.string(), open: v.string(), high: v.string(), low: v.string(), close: v.string(), volume: v.string(), source: v.string(), updated_at: v.number(), xmin: v.string() });
async function rows(symbol: string, timeframe = '1d') {
  return pool.any(sql.type(Row)`
    SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS ts, open::text, high::text, low::text, close::text, volume::text,
      source, updated_at, xmin::text AS xmin
    FROM candles WHERE symbol = ${symbol} AND timeframe = ${timeframe} ORDER BY ts`);
}

const Imported = v.object({ tx: v.string(), producer: v.string(), payload: v.record(v.string(), v.unknown()) });
async function importedEvents(symbol: string) {
  return pool.any(sql.type(Imported)`
    SELECT tx::xid::text AS tx, producer, payload FROM outbox
    WHERE type = 'data.CandlesImported' AND payload->>'symbol' = ${symbol} ORDER BY position`);
}

/** A daily CSV of `n` bars from 2020-01-01; `corrupt(lineNo)` may replace a row's text. */
async function dailyFile(name: string, n: number, corrupt: (line: number, row: string) => string = (_l, r) => r): Promise<string> {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    lines.push(corrupt(i + 2, `${day},${100 + i},${102 + i},${99 + i},${101 + i},${1000 + i}`));
  }
  const file = path.join(tmp, name);
  await fs.writeFile(file, lines.join('\n') + '\n');
  return file;
}

describe.skipIf(!haveSharedData)('importing backtrader’s 2006-day-001.txt as BT2006 1d', () => {
  it('writes its 255 bars with their exact values and one data.CandlesImported event in the same transaction', async () => {
    const summary = await importCandles({ log, file: BT2006, symbol: 'bt2006', timeframe: '1d' });
    expect(summary).toEqual({
      file: BT2006, symbol: 'BT2006', timeframe: '1d', format: 'backtrader', source: 'csv:2006-day-001.txt',
      rows: 255, from: '2006-01-02T00:00:00Z', to: '2006-12-29T00:00:00Z', warnings: [],
    });
    const stored = await rows('BT2006');
    expect(stored.length).toBe(255);
    expect(stored[0]).toMatchObject({ ts: '2006-01-02T00:00:00Z', open: '3578.73', high: '3605.95', low: '3578.73', close: '3604.33', volume: '0', source: 'csv:2006-day-001.txt' });
    expect(stored.at(-1)).toMatchObject({ ts: '2006-12-29T00:00:00Z', open: '4130.12', high: '4142.01', low: '4119.94', close: '4119.94', volume: '0' });

    const [event, ...more] = await importedEvents('BT2006');
    expect(more).toEqual([]);
    expect(event!.producer).toBe('cli');
    expect(event!.payload).toEqual({ symbol: 'BT2006', timeframe: '1d', source: 'csv:2006-day-001.txt', rows: 255, from: '2006-01-02T00:00:00Z', to: '2006-12-29T00:00:00Z' });
    // Every row was written by the transaction that appended the event.
    expect(new Set(stored.map((r) => r.xmin))).toEqual(new Set([event!.tx]));
  });

  it('is idempotent: importing again leaves the rows as they were (same values, not even rewritten)', async () => {
    const before = await rows('BT2006');
    await importCandles({ log, file: BT2006, symbol: 'BT2006', timeframe: '1d' });
    expect(await rows('BT2006')).toEqual(before);
    expect((await importedEvents('BT2006')).length).toBe(2); // each import says what it did
  });

  it('updates bars whose values changed, and only those', async () => {
    const before = await rows('BT2006');
    const text = await fs.readFile(BT2006, 'utf8');
    const changed = path.join(tmp, 'bt2006-changed.txt');
    await fs.writeFile(changed, text.replace('2006-01-03,3604.08,3638.42,3601.84,3614.34,0,0', '2006-01-03,3604.08,3638.42,3601.84,3610.00,0,0'));
    await importCandles({ log, file: changed, symbol: 'BT2006', timeframe: '1d', source: 'fixed' });
    const after = await rows('BT2006');
    expect(after.length).toBe(255);
    expect(after[1]).toMatchObject({ ts: '2006-01-03T00:00:00Z', close: '3610', source: 'fixed' });
    expect(after[1]!.updated_at).toBeGreaterThan(before[1]!.updated_at);
    // Every other bar changed only its source.
    expect(after.filter((r, i) => i !== 1).map(({ ts, open, high, low, close, volume }) => ({ ts, open, high, low, close, volume }))).toEqual(
      before.filter((_r, i) => i !== 1).map(({ ts, open, high, low, close, volume }) => ({ ts, open, high, low, close, volume })),
    );
  });
});

describe('a bad file', () => {
  it('imports nothing and names line 100 when line 100 is bad', async () => {
    const file = await dailyFile('bad-line-100.csv', 150, (line, row) => (line === 100 ? row.replace(/,\d+$/, ',-7') : row));
    const error = await importCandles({ log, file, symbol: 'BAD', timeframe: '1d' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeaverError);
    expect((error as WeaverError).code).toBe('invalid_file');
    expect((error as WeaverError).details).toEqual({ line: 100, reason: 'volume -7 is negative' });
    expect((error as WeaverError).message).toBe(`${file}, line 100: volume -7 is negative; nothing was imported`);
    expect(await rows('BAD')).toEqual([]);
    expect(await importedEvents('BAD')).toEqual([]);
  });

  it('refuses an invalid symbol before reading anything', async () => {
    const file = await dailyFile('fine.csv', 3);
    await expect(importCandles({ log, file, symbol: 'no spaces', timeframe: '1d' })).rejects.toMatchObject({ code: 'invalid_symbol' });
    await expect(importCandles({ log, file: path.join(tmp, 'absent.csv'), symbol: 'X', timeframe: '1d' })).rejects.toMatchObject({ code: 'unreadable_file' });
  });

  it('leaves no rows when the event cannot be appended: rows and event commit together or not at all', async () => {
    const file = await dailyFile('atomic.csv', 20);
    const failingAppend: EventLog = {
      ...log,
      transaction: (fn) => log.transaction((tx) => fn({ db: tx.db, append: async () => Promise.reject(new Error('append failed')) })),
    };
    await expect(importCandles({ log: failingAppend, file, symbol: 'ATOMIC', timeframe: '1d' })).rejects.toThrow('append failed');
    expect(await rows('ATOMIC')).toEqual([]);
  });
});

describe('a big file', () => {
  /** ~5.5 MB of 1m bars: over the 4 MB threshold, so parsed by the worker pool in 2 MB chunks. */
  async function minuteFile(name: string, n: number, badLine?: number): Promise<string> {
    const start = Date.UTC(2024, 0, 1);
    const lines = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < n; i++) {
      const p = (100 + Math.sin(i / 50) * 5).toFixed(4);
      const line = i + 2;
      lines.push(`${(start + i * 60_000) / 1000},${p},${(Number(p) + 0.25).toFixed(4)},${(Number(p) - 0.25).toFixed(4)},${p},${line === badLine ? 'many' : i % 977}`);
    }
    const file = path.join(tmp, name);
    await fs.writeFile(file, lines.join('\n') + '\n');
    return file;
  }

  it('parses in the worker pool to exactly the rows of the in-thread parse, and imports them', async () => {
    const file = await minuteFile('big.csv', 110_000);
    expect((await fs.stat(file)).size).toBeGreaterThan(POOL_THRESHOLD_BYTES);
    const progress: number[] = [];
    const pooled = await parseCandleFile(file, { timeframe: '1m', onProgress: (done) => progress.push(done) });
    const inThread = await parseCandleFile(file, { timeframe: '1m', poolThresholdBytes: Infinity });
    expect(pooled.threads).toBeGreaterThan(0);
    expect(inThread.threads).toBe(0);
    expect(pooled.columns).toEqual(inThread.columns);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe((await fs.stat(file)).size);

    const summary = await importCandles({ log, file, symbol: 'BIG', timeframe: '1m' });
    expect(summary).toMatchObject({ rows: 110_000, from: '2024-01-01T00:00:00Z', format: 'generic' });
    const Stored = v.object({ t: v.number(), o: v.number(), h: v.number(), l: v.number(), c: v.number(), v: v.number() });
    const stored = await pool.any(sql.type(Stored)`
      SELECT (extract(epoch FROM ts) * 1000)::float8 AS t, open::float8 AS o, high::float8 AS h, low::float8 AS l, close::float8 AS c, volume::float8 AS v
      FROM candles WHERE symbol = 'BIG' AND timeframe = '1m' ORDER BY ts`);
    const cols = inThread.columns;
    expect(stored.length).toBe(110_000);
    expect(stored.map((r) => r.t)).toEqual(cols.t);
    expect(stored.map((r) => [r.o, r.h, r.l, r.c, r.v])).toEqual(cols.t.map((_t, i) => [cols.o[i], cols.h[i], cols.l[i], cols.c[i], cols.v[i]]));
  });

  it('reports the true line number of a bad row deep inside a chunk', async () => {
    const file = await minuteFile('big-bad.csv', 110_000, 90_001);
    await expect(parseCandleFile(file, { timeframe: '1m' })).rejects.toMatchObject({ details: { line: 90_001, reason: "cannot read the volume 'many' as a number" } });
  });
});
