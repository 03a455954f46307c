// The full backtest pipeline on a test Postgres: migrations, bars written through WallE's candle writer,
// an in-process supervisor running router, clock, Greta and WallE (Marvins are spawned per run), and a
// way to run a spec through it and get its result back from the tables. Test strategies are loaded in
// the workers through WEAVER_STRATEGY_MODULES.
import { fileURLToPath } from 'node:url';
import type { DatabasePool } from 'slonik';
import { afterAll, beforeAll } from 'vitest';
import { BACKTEST_ACTORS } from '../../actors/index.ts';
import { writeCandles } from '../../actors/walle/candles.ts';
import type { RunSpec, Timeframe } from '../../protocol/index.ts';
import { runOnPipeline } from '../../runtime/backtest/pipeline.ts';
import type { BacktestResult } from '../../runtime/backtest/result.ts';
import type { CandleColumns } from '../../runtime/data/columns.ts';
import { migrate } from '../../runtime/db/migrate.ts';
import { createPool } from '../../runtime/db/pool.ts';
import { createPostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import type { EventLog } from '../../runtime/eventlog/types.ts';
import { createLogger } from '../../runtime/log.ts';
import { startSupervisor, type Supervisor } from '../../runtime/supervisor/index.ts';
import { testConfig } from '../actors/config.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

// Workers inherit the environment: quiet logs, and the test strategies.
process.env.WEAVER_LOG_LEVEL ??= 'warn';
process.env.WEAVER_STRATEGY_MODULES = [fileURLToPath(new URL('../strategies/throws.ts', import.meta.url)), fileURLToPath(new URL('../strategies/peek.ts', import.meta.url))].join(',');

export interface Pipeline {
  readonly pg: TestPostgres;
  readonly pool: DatabasePool;
  readonly log: EventLog;
  readonly supervisor: Supervisor;
  write(symbol: string, timeframe: Timeframe, columns: CandleColumns): Promise<void>;
  run(spec: RunSpec, onProgress?: (done: number) => void): Promise<BacktestResult>;
}

export function usePipeline(): () => Pipeline {
  let p: Pipeline | null = null;
  beforeAll(async () => {
    const pg = await startTestPostgres();
    await migrate(pg.url);
    const pool = await createPool(pg.url, { maximumPoolSize: 4 });
    const log = await createPostgresEventLog({ url: pg.url, pool });
    const supervisor = await startSupervisor({ config: testConfig({ restartIntensity: 20, workerMaxOldMb: 256 }), databaseUrl: pg.url, log: createLogger('test', {}).child({}, { level: 'error' }) });
    await supervisor.ensureActors(BACKTEST_ACTORS.map((kind) => ({ id: kind, kind, config: {} })));
    p = {
      pg,
      pool,
      log,
      supervisor,
      async write(symbol, timeframe, columns) {
        await log.transaction(async (tx) => void (await writeCandles(tx.db!, { symbol, timeframe, source: 'test', columns })));
      },
      run: (spec, onProgress) =>
        runOnPipeline({ log, db: pool, spec, barsPerInstance: 0, pollMs: 50, stallMs: 30_000, onProgress: (x) => onProgress?.(x.done) }),
    };
  }, 120_000);
  afterAll(async () => {
    await p?.supervisor.stop();
    await p?.log.close();
    await p?.pool.end();
    await p?.pg.stop();
  }, 60_000);
  return () => {
    if (!p) throw new Error('the pipeline is not started (usePipeline() registers beforeAll)');
    return p;
  };
}
