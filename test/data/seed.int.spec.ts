// The demo seed `weaver start` runs: only on an empty candles table, all symbols with their events in one
// transaction, nothing left behind when interrupted, and the rows are exactly the generator's.
import type { DatabasePool } from 'slonik';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBars, DEMO_SYMBOLS } from '../../runtime/data/demo.ts';
import { seedDemoDataIfEmpty } from '../../runtime/data/seed.ts';
import { createPool, sql } from '../../runtime/db/pool.ts';
import { createLogger } from '../../runtime/log.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

let pg: TestPostgres;
const pools: DatabasePool[] = [];
const logger = createLogger('seed-test');
logger.level = 'silent';
const demo = { days: 2 }; // 3 symbols × 2,880 bars: the full year is the e2e test's

beforeAll(async () => {
  pg = await startTestPostgres();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await pg?.stop();
});

async function fresh(): Promise<{ url: string; pool: DatabasePool }> {
  const url = await pg.newDatabase();
  const pool = await createPool(url, { maximumPoolSize: 2 });
  pools.push(pool);
  return { url, pool };
}

const Count = v.object({ symbol: v.string(), n: v.pipe(v.bigint(), v.transform(Number)) });
const counts = (pool: DatabasePool) => pool.any(sql.type(Count)`SELECT symbol, count(*) AS n FROM candles GROUP BY symbol ORDER BY symbol`);
const Event = v.object({ producer: v.string(), symbol: v.string(), rows: v.number(), same_tx: v.boolean() });
const events = (pool: DatabasePool) =>
  pool.any(sql.type(Event)`
    SELECT o.producer, o.payload->>'symbol' AS symbol, (o.payload->>'rows')::int AS rows,
      (SELECT bool_and(c.xmin = o.tx::xid) FROM candles c WHERE c.symbol = o.payload->>'symbol') AS same_tx
    FROM outbox o WHERE o.type = 'data.CandlesImported' ORDER BY o.position`);

describe('seedDemoDataIfEmpty', () => {
  it('seeds an empty database once: every demo symbol with its event, in one transaction', async () => {
    const { url, pool } = await fresh();
    const outcome = await seedDemoDataIfEmpty({ url, logger, demo });
    expect(outcome).toMatchObject({ seeded: true, summary: { rows: 3 * 2880, seed: 1, days: 2 } });
    expect(await counts(pool)).toEqual([
      { symbol: 'DEMO_ACME', n: 2880 },
      { symbol: 'DEMO_GLOBEX', n: 2880 },
      { symbol: 'DEMO_INITECH', n: 2880 },
    ]);
    expect(await events(pool)).toEqual(['DEMO_ACME', 'DEMO_GLOBEX', 'DEMO_INITECH'].map((symbol) => ({ producer: 'weaver', symbol, rows: 2880, same_tx: true })));

    // The stored bars are the generator's, to the cent.
    const Bar = v.object({ t: v.number(), o: v.number(), h: v.number(), l: v.number(), c: v.number(), v: v.number() });
    const stored = await pool.any(sql.type(Bar)`
      SELECT (extract(epoch FROM ts) * 1000)::float8 AS t, open::float8 AS o, high::float8 AS h, low::float8 AS l, close::float8 AS c, volume::float8 AS v
      FROM candles WHERE symbol = 'DEMO_GLOBEX' ORDER BY ts`);
    const bars = generateDemoBars(DEMO_SYMBOLS[1]!, { seed: 1, days: 2 });
    expect(stored.map((r) => [r.t, r.o, r.h, r.l, r.c, r.v])).toEqual(Array.from(bars.t, (t, i) => [t, bars.o[i], bars.h[i], bars.l[i], bars.c[i], bars.v[i]]));

    expect(await seedDemoDataIfEmpty({ url, logger, demo })).toEqual({ seeded: false, reason: 'present' });
    expect((await events(pool)).length).toBe(3);
  });

  it('leaves imported data alone: any row at all means no seed', async () => {
    const { url, pool } = await fresh();
    await pool.query(sql.unsafe`INSERT INTO candles (symbol, timeframe, ts, open, high, low, close, source) VALUES ('MINE', '1d', now()::date, 1, 1, 1, 1, 'me')`);
    expect(await seedDemoDataIfEmpty({ url, logger, demo })).toEqual({ seeded: false, reason: 'present' });
    expect(await counts(pool)).toEqual([{ symbol: 'MINE', n: 1 }]);
  });

  it('writes nothing when interrupted midway, so the next start seeds again', async () => {
    const { url, pool } = await fresh();
    const stop = new AbortController();
    // 3 × 14,400 rows = 9 batches; abort once the first INSERT into candles has started (its table lock shows it).
    const seeding = seedDemoDataIfEmpty({ url, logger, signal: stop.signal, demo: { days: 10 } });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const [writing] = await pool.any(sql.type(v.object({ n: v.pipe(v.bigint(), v.transform(Number)) }))`
        SELECT count(*) AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
        WHERE c.relname = 'candles' AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()`);
      if (writing!.n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    stop.abort();
    expect(await seeding).toEqual({ seeded: false, reason: 'interrupted' });
    expect(await counts(pool)).toEqual([]);
    expect(await events(pool)).toEqual([]);
    expect(await seedDemoDataIfEmpty({ url, logger, demo })).toMatchObject({ seeded: true });
  });

  it('seeds once when two supervisors start together', async () => {
    const { url, pool } = await fresh();
    const outcomes = await Promise.all([seedDemoDataIfEmpty({ url, logger, demo }), seedDemoDataIfEmpty({ url, logger, demo })]);
    expect(outcomes.map((o) => o.seeded).sort()).toEqual([false, true]);
    expect((await events(pool)).length).toBe(3);
  });
});
