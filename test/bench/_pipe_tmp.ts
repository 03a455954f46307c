import { BACKTEST_ACTORS } from '/work/main/actors/index.ts';
import { writeCandles } from '/work/main/actors/walle/candles.ts';
import { runOnPipeline } from '/work/main/runtime/backtest/pipeline.ts';
import { buildRunSpec, fitToData } from '/work/main/runtime/backtest/spec.ts';
import { generateDemoBars, demoSymbols } from '/work/main/runtime/data/demo.ts';
import { migrate } from '/work/main/runtime/db/migrate.ts';
import { createPool } from '/work/main/runtime/db/pool.ts';
import { createPostgresEventLog } from '/work/main/runtime/eventlog/postgres/index.ts';
import { createLogger } from '/work/main/runtime/log.ts';
import { createPostgresCandleSource } from '/work/main/runtime/market-data/postgres.ts';
import { startSupervisor } from '/work/main/runtime/supervisor/index.ts';
import { testConfig } from '/work/main/test/actors/config.ts';
import { startTestPostgres } from '/work/main/test/helpers/postgres.ts';
const pg = await startTestPostgres();
await migrate(pg.url);
const pool = await createPool(pg.url, { maximumPoolSize: 4 });
const log = await createPostgresEventLog({ url: pg.url, pool });
const days = Number(process.env.DAYS ?? 3);
const sym = demoSymbols()[0]!;
const cols = generateDemoBars(sym, { seed: 7, days });
await log.transaction(async (tx) => void (await writeCandles(tx.db!, { symbol: sym.symbol, timeframe: '1m', source: 'x', columns: cols })));
const sup = await startSupervisor({ config: testConfig({ workerMaxOldMb: 512, pollIntervalMs: 500 }), databaseUrl: pg.url, log: createLogger('t').child({}, { level: 'error' }) });
await sup.ensureActors(BACKTEST_ACTORS.map((kind) => ({ id: kind, kind, config: {} })));
const source = createPostgresCandleSource(pool);
for (const [fast, slow] of JSON.parse(process.env.P ?? '[[5,20],[60,240]]')) {
  const spec = await fitToData(buildRunSpec({ strategy: 'sma_cross', symbols: [sym.symbol], timeframe: '1m', params: { fast, slow }, cash: 1e6 }), source);
  const t0 = performance.now();
  const r = await runOnPipeline({ log, db: pool, spec, barsPerInstance: cols.t.length, pollMs: 50 });
  const s = (performance.now() - t0) / 1000;
  console.log(fast, slow, r.status, r.instances[0]!.fills.length, 'fills', s.toFixed(2), 's', Math.round(cols.t.length / s), 'bars/s');
}
const { sql } = await import('/work/main/node_modules/slonik/dist/index.js');
const rows = await pool.any(sql.unsafe`SELECT type, producer, appended_at, tx::text AS tx FROM outbox WHERE type LIKE 'strategy.%' OR type LIKE 'backtest.%' OR type LIKE 'orders.%' OR type LIKE 'clock.%' OR type LIKE 'data.%' ORDER BY position LIMIT 120 OFFSET 200`);
let prev = 0;
for (const r of rows as any[]) { const t = Number(r.appended_at); console.log(String(t - prev).padStart(5), r.type, r.producer.slice(0, 14), r.tx); prev = t; }
await sup.stop(); await log.close(); await pool.end(); await pg.stop();
