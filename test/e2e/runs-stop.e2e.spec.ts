import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/events.ts';
import { freePort } from '../gateway/free-port.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { killAllWeavers, runWeaver, startWeaver } from './weaver-process.ts';

// `weaver backtest` beside a running `weaver start` (it uses that Weaver's actors), and `weaver runs stop`
// on it part-way: the run ends `stopped`, with its results up to where it stopped.
let pg: TestPostgres;
let home: string;
let env: Record<string, string>;
const json = (text: string) => JSON.parse(text) as Record<string, any>;

beforeAll(async () => {
  pg = await startTestPostgres();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-e2e-stop-'));
  // No gateway: WEAVER_PORT names a port nobody listens on, so the CLI works on the database directly
  // (never on some other Weaver's gateway at the default port).
  env = { DATABASE_URL: pg.url, WEAVER_HOME: home, WEAVER_DEFAULT_ACTORS: 'router,clock,greta,walle', WEAVER_PORT: String(await freePort()) };
  const weaver = startWeaver(env);
  await weaver.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 60_000, '"Weaver is ready"');
  const demo = await runWeaver(['data', 'demo', '--symbols', '1', '--days', '60', '--json'], env, 120_000);
  expect(demo.code, demo.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await killAllWeavers();
  await pg?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

describe('weaver runs stop', () => {
  it('stops a running backtest part-way; the backtest command reports it stopped', async () => {
    // A busy strategy over 60 days of 1m bars: long enough to be stopped on the way.
    const backtest = runWeaver(['backtest', '--strategy', 'sma_cross', '--symbol', 'DEMO_ACME', '--timeframe', '1m', '--param', 'fast=3', '--param', 'slow=12', '--json'], env, 240_000);
    let runId = '';
    await eventually(async () => {
      const list = json((await runWeaver(['runs', 'list', '--json'], env)).stdout) as unknown as { id: string; status: string }[];
      runId = list.find((r) => r.status === 'running')?.id ?? '';
      return runId !== '';
    }, 60_000, 'a running run');
    const stop = await runWeaver(['runs', 'stop', runId, '--json'], env);
    expect(stop.code, stop.stderr).toBe(0);
    expect(json(stop.stdout)).toMatchObject({ run_id: runId, stop_requested: true });

    const done = await backtest;
    expect(done.code, done.stderr).toBe(0);
    const r = json(done.stdout);
    expect(r.run_id).toBe(runId);
    expect(r.status).toBe('stopped');
    expect(r.instance_status).toBe('stopped');
    expect(r.fills.length).toBeGreaterThan(0);
    const last = r.fills[r.fills.length - 1].time as string;
    expect(last < '2025-12-31').toBe(true); // stopped well before the end of the data

    const again = await runWeaver(['runs', 'stop', runId], env);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already stopped; there is nothing to stop/);
    const unknown = await runWeaver(['runs', 'stop', '01a20000-0000-7000-8000-000000000000'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no run 01a20000/);
  }, 300_000);
});
