import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg_ from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../gateway/free-port.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { killAllWeavers, runWeaver } from './weaver-process.ts';

// `weaver backtest` as a user runs it, with no Weaver running: it starts the actors itself, runs the
// reference case of backtrader through the full pipeline, prints JSON, and stops everything it started.
// Bad input is refused with exit 2, a message naming what to fix, and nothing written.
const REFERENCE = fileURLToPath(new URL('../../../shared/data/backtrader/2006-day-001.txt', import.meta.url));
const haveReference = existsSync(REFERENCE);
if (!haveReference) console.warn(`skipping the reference backtest: ${REFERENCE} is absent (it sits beside the project in the development setup)`);

let pg: TestPostgres;
let home: string;
let env: Record<string, string>;
const json = (text: string) => JSON.parse(text) as Record<string, any>;
const REF_ARGS = ['--symbol', 'BT2006', '--timeframe', '1d', '--strategy', 'sma_cross', '--param', 'fast=1', '--param', 'slow=15', '--param', 'qty=1', '--cash', '10000', '--commission-rate', '0', '--fill', 'next_open', '--json'];

beforeAll(async () => {
  pg = await startTestPostgres();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-e2e-backtest-'));
  // Standalone: no gateway answers at WEAVER_PORT (a port nobody listens on), whatever else runs on this machine.
  env = { DATABASE_URL: pg.url, WEAVER_HOME: home, WEAVER_LOG_LEVEL: 'warn', WEAVER_PORT: String(await freePort()) };
});
afterAll(async () => {
  await killAllWeavers();
  await pg?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

async function count(sql: string): Promise<number> {
  const client = new pg_.Client({ connectionString: pg.url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

describe('weaver backtest', () => {
  it.skipIf(!haveReference)('reproduces backtrader on the reference file through the full pipeline, twice alike', async () => {
    const first = await runWeaver(['backtest', '--data', REFERENCE, ...REF_ARGS], env, 120_000);
    expect(first.code, first.stderr).toBe(0);
    const r = json(first.stdout);
    expect(r.status).toBe('completed');
    expect(r.final_equity).toBe(10284.1);
    expect(r.cash).toBe(6164.16);
    expect(r.fills).toHaveLength(23);
    expect(r.fills[0]).toMatchObject({ time: '2006-01-27T00:00:00.000Z', side: 'buy', qty: 1, price: 3643.35, fee: 0 });
    for (const key of ['total_return', 'cagr', 'sharpe', 'sortino', 'max_drawdown', 'win_rate', 'profit_factor', 'trades', 'exposure', 'fees']) expect(r.stats).toHaveProperty(key);

    // The data is there now: the same backtest again gives the same orders, fills and equity curve.
    const second = await runWeaver(['backtest', ...REF_ARGS], env, 120_000);
    expect(second.code, second.stderr).toBe(0);
    const s = json(second.stdout);
    const strip = (x: Record<string, any>) => JSON.parse(JSON.stringify({ fills: x.fills, orders: x.orders, equity: x.equity, stats: x.stats, trades: x.trades }).split(x.instance_id).join('I'));
    expect(strip(s)).toEqual(strip(r));
    expect(s.run_id).not.toBe(r.run_id);

    const listed = await runWeaver(['runs', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect((json(listed.stdout) as unknown as { id: string; status: string }[]).map((x) => x.id)).toEqual(expect.arrayContaining([r.run_id, s.run_id]));
    const shown = await runWeaver(['runs', 'show', r.run_id, '--json'], env);
    expect(json(shown.stdout)).toMatchObject({ run_id: r.run_id, status: 'completed', final_equity: 10284.1, cash: 6164.16 });
    const human = await runWeaver(['runs', 'show', r.run_id], env);
    expect(human.stdout).toMatch(/final equity 10284\.10, cash 6164\.16, 23 fills/);
    expect(human.stdout).toMatch(/Sharpe/);
  }, 300_000);

  it('refuses bad input with exit 2, a message that names the fix, and writes nothing', async () => {
    const runsBefore = await count('SELECT count(*) AS n FROM runs').catch(() => 0);
    const cases: [string[], RegExp][] = [
      [['--strategy', 'nope', '--symbol', 'BT2006', '--timeframe', '1d'], /unknown strategy "nope"; known strategies: .*sma_cross/],
      [['--strategy', 'sma_cross', '--symbol', 'BT2006', '--timeframe', '1d', '--param', 'slowest=3'], /slowest/],
      [['--strategy', 'sma_cross', '--symbol', 'BT2006', '--timeframe', '1d', '--param', 'slow=abc'], /slow/],
      [['--strategy', 'sma_cross', '--symbol', 'BT2006', '--timeframe', '1d', '--param', 'fast=20', '--param', 'slow=10'], /fast/],
      [['--strategy', 'sma_cross', '--symbol', 'BT2006', '--timeframe', '1d', '--from', '2006-06-01', '--to', '2006-01-01'], /--from 2006-06-01 is after --to 2006-01-01/],
      [['--strategy', 'sma_cross', '--symbol', 'BT2006', '--timeframe', '1d', '--from', 'yesterday'], /--from yesterday: expected a date/],
      [['--strategy', 'sma_cross', '--symbol', 'NOSUCH', '--timeframe', '1d'], /NOSUCH has no bars at all \(import them: weaver data import/],
      [['--strategy', 'sma_cross', '--symbol', 'BT2006', '--timeframe', '1h'], haveReference ? /BT2006 has no 1h bars but has 1d .*use --timeframe 1d/ : /BT2006/],
      [['--strategy', 'sma_cross', '--symbol', 'BT2006', '--timeframe', '1d', '--from', '2030-01-01'], haveReference ? /none in the range asked/ : /BT2006/],
      [['--strategy', 'sma_cross', '--symbol', 'BT2006', '--timeframe', '1d', '--cash', '-5'], /--cash -5: must be a positive number/],
    ];
    for (const [args, message] of cases) {
      const r = await runWeaver(['backtest', ...args], env, 60_000);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const bad = await runWeaver(['backtest', '--strategy', 'nope', '--symbol', 'X', '--timeframe', '1d', '--json'], env);
    expect(bad.code).toBe(2);
    expect(json(bad.stderr)).toMatchObject({ code: 'unknown_strategy', details: { strategy: 'nope' } });
    expect(await count('SELECT count(*) AS n FROM runs').catch(() => 0)).toBe(runsBefore);
  }, 300_000);
});
