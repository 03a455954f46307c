// The full actor pipeline's speed: sma_cross over demo 1m bars on a durable embedded Postgres (fsync and
// synchronous commit on, as a user's), with a supervisor running router, clock, Greta, WallE and the
// run's Marvin in worker threads. Timed from run.Created to the results read back from WallE's tables.
import { BACKTEST_ACTORS } from '../../actors/index.ts';
import { writeCandles } from '../../actors/walle/candles.ts';
import { runOnPipeline } from '../../runtime/backtest/pipeline.ts';
import { buildRunSpec, fitToData } from '../../runtime/backtest/spec.ts';
import { demoSymbols, generateDemoBars } from '../../runtime/data/demo.ts';
import { migrate } from '../../runtime/db/migrate.ts';
import { createPool } from '../../runtime/db/pool.ts';
import { createPostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import { createLogger } from '../../runtime/log.ts';
import { createPostgresCandleSource } from '../../runtime/market-data/postgres.ts';
import { startSupervisor } from '../../runtime/supervisor/index.ts';
import { testConfig } from '../actors/config.ts';
import { startTestPostgres } from '../helpers/postgres.ts';

export interface PipelineFigure {
  bars: number;
  seconds: number;
  bars_per_second: number;
  fills: number;
  params: { fast: number; slow: number };
}

export async function runPipelineBench(opts: { bars: number; params?: { fast: number; slow: number }[] }): Promise<PipelineFigure[]> {
  const pg = await startTestPostgres({ durable: true });
  const pool = await createPool(pg.url, { maximumPoolSize: 4 });
  const log = await createPostgresEventLog({ url: pg.url, pool });
  const quiet = createLogger('bench').child({}, { level: 'error' });
  process.env.WEAVER_LOG_LEVEL = 'error';
  let supervisor: Awaited<ReturnType<typeof startSupervisor>> | null = null;
  try {
    await migrate(pg.url);
    const sym = demoSymbols()[0]!;
    const all = generateDemoBars(sym, { days: Math.ceil(opts.bars / 1440) });
    const n = Math.min(opts.bars, all.t.length);
    const columns = { t: all.t.subarray(0, n), o: all.o.subarray(0, n), h: all.h.subarray(0, n), l: all.l.subarray(0, n), c: all.c.subarray(0, n), v: all.v.subarray(0, n) };
    await log.transaction(async (tx) => void (await writeCandles(tx.db!, { symbol: sym.symbol, timeframe: '1m', source: 'bench', columns })));
    supervisor = await startSupervisor({ config: testConfig({ leaseTtlMs: 10_000, heartbeatMs: 1000, hangTimeoutMs: 10_000, pollIntervalMs: 500, workerMaxOldMb: 512 }), databaseUrl: pg.url, log: quiet });
    await supervisor.ensureActors(BACKTEST_ACTORS.map((kind) => ({ id: kind, kind, config: {} })));
    const out: PipelineFigure[] = [];
    for (const params of opts.params ?? [{ fast: 60, slow: 240 }]) {
      const spec = await fitToData(buildRunSpec({ strategy: 'sma_cross', symbols: [sym.symbol], timeframe: '1m', params: { ...params, qty: 1 }, cash: 1_000_000 }), createPostgresCandleSource(pool));
      const t0 = performance.now();
      const result = await runOnPipeline({ log, db: pool, spec, barsPerInstance: n, pollMs: 100, stallMs: 120_000 });
      const seconds = (performance.now() - t0) / 1000;
      if (result.status !== 'completed') throw new Error(`the bench run ${result.status}: ${result.error?.message ?? ''}`);
      out.push({ bars: n, seconds, bars_per_second: n / seconds, fills: result.instances[0]!.fills.length, params });
    }
    return out;
  } finally {
    await supervisor?.stop();
    await log.close();
    await pool.end();
    await pg.stop();
  }
}

// Run directly: `node test/bench/pipeline.ts [bars]`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const bars = Number(process.argv[2] ?? 525_600);
  for (const f of await runPipelineBench({ bars, params: [{ fast: 60, slow: 240 }, { fast: 390, slow: 1560 }] })) console.log(JSON.stringify(f));
}
