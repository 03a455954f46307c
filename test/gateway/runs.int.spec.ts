// A backtest started with POST /runs on a real Weaver (supervisor with router, clock, Greta, WallE and the
// gateway actor itself, each in its worker) completes; its status streams as ui.RunStatus over SSE and its
// results are readable over REST, equal to the memory kernel's on the same bars.
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKTEST_ACTORS } from '../../actors/index.ts';
import { writeCandles } from '../../actors/walle/candles.ts';
import { generateDemoBars, demoSymbols } from '../../runtime/data/demo.ts';
import { runInMemory } from '../../runtime/backtest/kernel.ts';
import type { BacktestResult } from '../../runtime/backtest/result.ts';
import { migrate } from '../../runtime/db/migrate.ts';
import { createPool, type DatabasePool } from '../../runtime/db/pool.ts';
import { createPostgresEventLog, type PostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import { createLogger } from '../../runtime/log.ts';
import { createPostgresCandleSource } from '../../runtime/market-data/postgres.ts';
import { startSupervisor, type Supervisor } from '../../runtime/supervisor/index.ts';
import type { RunSpec } from '../../protocol/index.ts';
import { testConfig } from '../actors/config.ts';
import { normaliseResult } from '../helpers/backtest.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { freePort } from './free-port.ts';
import { SseRecorder } from './sse-recorder.ts';

process.env.WEAVER_LOG_LEVEL ??= 'warn';

let pg: TestPostgres;
let pool: DatabasePool;
let log: PostgresEventLog;
let supervisor: Supervisor;
let base: string;
const sym = demoSymbols({ symbols: 1 })[0]!;

beforeAll(async () => {
  pg = await startTestPostgres();
  await migrate(pg.url);
  pool = await createPool(pg.url, { maximumPoolSize: 4 });
  log = await createPostgresEventLog({ url: pg.url, pool });
  await log.transaction(async (tx) => void (await writeCandles(tx.db!, { symbol: sym.symbol, timeframe: '1m', source: 'test', columns: generateDemoBars(sym, { seed: 11, days: 2 }) })));
  const port = await freePort();
  // The gateway worker reads its address from the environment, like under `weaver start`.
  process.env.WEAVER_HOST = '127.0.0.1';
  process.env.WEAVER_PORT = String(port);
  base = `http://127.0.0.1:${port}`;
  supervisor = await startSupervisor({ config: testConfig({ restartIntensity: 20, workerMaxOldMb: 256 }), databaseUrl: pg.url, log: createLogger('test').child({}, { level: 'error' }) });
  await supervisor.ensureActors([...BACKTEST_ACTORS, 'gateway'].map((kind) => ({ id: kind, kind, config: {} })));
  for (let i = 0; ; i++) {
    const ready = await fetch(`${base}/readyz`).catch(() => null);
    if (ready?.status === 200) break;
    if (i > 300) throw new Error(`the gateway never got ready: ${ready ? await ready.text() : 'no answer'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  await supervisor?.stop();
  await log?.close();
  await pool?.end();
  await pg?.stop();
}, 60_000);

const post = (path: string, body?: unknown) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe('POST /runs on a running Weaver', () => {
  it('runs a backtest to completion; status over SSE, results over REST equal to the memory kernel', async () => {
    const sse = new SseRecorder(`${base}/events/stream?types=ui.RunStatus,ui.BacktestProgress`);
    await sse.connected;
    const res = await post('/runs', { timeframe: '1m', name: 'gateway test', cash: 10_000, instances: [{ strategy: 'sma_cross', symbols: [sym.symbol], params: { fast: 10, slow: 40 } }] });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { run_id: string; status: string; location: string };
    expect(res.headers.get('location')).toBe(`/runs/${accepted.run_id}`);
    expect(accepted.status).toBe('starting');

    // Readable at once, even before WallE has written the row.
    const early = await fetch(base + accepted.location);
    expect(early.status).toBe(200);

    const done = await sse.waitFor((e) => e.type === 'ui.RunStatus' && e.run_id === accepted.run_id && ['completed', 'failed', 'stopped'].includes((e.payload as { status: string }).status), 60_000);
    expect((done.payload as { status: string }).status).toBe('completed');
    const statuses = sse.events.filter((e) => e.type === 'ui.RunStatus' && e.run_id === accepted.run_id).map((e) => (e.payload as { status: string }).status);
    expect(statuses).toEqual(['created', 'starting', 'running', 'completed']);
    const progress = sse.events.filter((e) => e.type === 'ui.BacktestProgress' && e.run_id === accepted.run_id);
    expect(progress.length).toBeGreaterThan(0);
    sse.close();

    // WallE settles the row shortly after the event.
    let run: { status: string; instances: { status: string }[] } | null = null;
    for (let i = 0; i < 100; i++) {
      run = (await (await fetch(base + accepted.location)).json()) as typeof run;
      if (run!.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(run!.status).toBe('completed');
    expect(run!.instances.map((i) => i.status)).toEqual(['completed']);

    const results = await fetch(`${base}/backtests/${accepted.run_id}`);
    expect(results.status).toBe(200);
    const viaRest = (await results.json()) as BacktestResult;
    const spec = (await (await fetch(`${base}/runs/${accepted.run_id}`)).json()) as { from: string; to: string };
    const row = await pool.oneFirst(sql.unsafe`SELECT spec FROM runs WHERE id = ${accepted.run_id}::uuid`);
    const kernel = await runInMemory(row as RunSpec, createPostgresCandleSource(pool));
    expect(spec.from).toBe((row as RunSpec).from);
    expect(normaliseResult(viaRest)).toEqual(normaliseResult(JSON.parse(JSON.stringify(kernel)) as BacktestResult));
    expect(viaRest.instances[0]!.fills.length).toBeGreaterThan(0);
  }, 90_000);

  it('refuses a live run, a stop of a finished run and a start of a started one, writing nothing', async () => {
    const live = await post('/runs', { mode: 'live', timeframe: '1m', instances: [{ strategy: 'sma_cross', symbols: [sym.symbol] }] });
    expect(live.status).toBe(409);
    expect(((await live.json()) as { code: string }).code).toBe('live_unavailable');

    const created = (await (await post('/runs', { timeframe: '1m', start: false, instances: [{ strategy: 'sma_cross', symbols: [sym.symbol], params: { fast: 5, slow: 20 } }] })).json()) as { run_id: string; status: string };
    expect(created.status).toBe('created');
    const stopEarly = await post(`/runs/${created.run_id}/stop`);
    expect(stopEarly.status).toBe(409);
    expect(((await stopEarly.json()) as { code: string }).code).toBe('run_not_started');
    expect((await post(`/runs/${created.run_id}/start`)).status).toBe(202);
    const again = await post(`/runs/${created.run_id}/start`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toMatch(/run_already_started|run_finished/);
    for (let i = 0; i < 600; i++) {
      const r = (await (await fetch(`${base}/runs/${created.run_id}`)).json()) as { status: string };
      if (r.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const stopLate = await post(`/runs/${created.run_id}/stop`);
    expect(stopLate.status).toBe(409);
    expect(((await stopLate.json()) as { code: string }).code).toBe('run_finished');

    const unknown = await post('/runs', { timeframe: '1m', instances: [{ strategy: 'no_such_strategy', symbols: [sym.symbol] }] });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { code: string }).code).toBe('unknown_strategy');
    const noData = await post('/runs', { timeframe: '1d', instances: [{ strategy: 'sma_cross', symbols: [sym.symbol] }] });
    expect(noData.status).toBe(422);
    expect(((await noData.json()) as { message: string }).message).toMatch(/has no 1d bars but has 1m/);
    const noSymbol = await post('/runs', { timeframe: '1m', instances: [{ strategy: 'sma_cross', symbols: ['NOPE'] }] });
    expect(noSymbol.status).toBe(422);
    // The advice quotes the CLI command as it is typed; the body's own fields are named as fields.
    expect(((await noSymbol.json()) as { message: string }).message).toContain('weaver data import FILE --symbol NOPE --timeframe 1m');
    expect((await fetch(`${base}/runs/01900000-0000-7000-8000-000000000000`)).status).toBe(404);
  }, 90_000);
});
