// A CandleSource over the candles table, on any slonik connection (a handler's batch transaction, or a
// pool). Orders match the memory source: (start, symbol in the order asked).
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { Bar, Timeframe } from '../../protocol/index.ts';
import type { CandleSource, Coverage } from './source.ts';

const TsRow = v.object({ ts: v.number() });
const BarRow = v.object({ k: v.number(), ts: v.number(), open: v.number(), high: v.number(), low: v.number(), close: v.number(), volume: v.number() });
const floats = v.array(v.number());
const ColumnsRow = v.object({ s: floats, t: floats, o: floats, h: floats, l: floats, c: floats, v: floats });
const StoredRow = v.object({ symbol: v.string(), timeframe: v.string(), bars: v.number(), first: v.number(), last: v.number() });
const CoverageRow = v.object({ symbol: v.string(), bars: v.number(), first: v.nullable(v.number()), last: v.nullable(v.number()) });

const at = (ms: number) => sql.fragment`${new Date(ms).toISOString()}::timestamptz`;

export function createPostgresCandleSource(db: CommonQueryMethods): CandleSource {
  return {
    async timestamps(symbols, timeframe, fromMs, afterMs, toMs, limit) {
      const lower = afterMs === null ? sql.fragment`ts >= ${at(fromMs)}` : sql.fragment`ts > ${at(afterMs)}`;
      // DISTINCT over an index range scan per symbol, merged: cheap for the few symbols of a run.
      const rows = await db.any(sql.type(TsRow)`
        SELECT DISTINCT ts FROM candles
        WHERE symbol = ANY(${sql.array([...symbols], 'text')}) AND timeframe = ${timeframe} AND ${lower} AND ts <= ${at(toMs)}
        ORDER BY ts LIMIT ${limit}`);
      return rows.map((r) => r.ts);
    },

    async window(symbols, timeframe, fromMs, toMs) {
      // One row of arrays, not a row per bar: thousands of bars parse as seven float8 arrays.
      const row = await db.one(sql.type(ColumnsRow)`
        SELECT coalesce(array_agg(k ORDER BY ts, k), '{}') AS s, coalesce(array_agg(ms ORDER BY ts, k), '{}') AS t,
          coalesce(array_agg(open ORDER BY ts, k), '{}') AS o, coalesce(array_agg(high ORDER BY ts, k), '{}') AS h,
          coalesce(array_agg(low ORDER BY ts, k), '{}') AS l, coalesce(array_agg(close ORDER BY ts, k), '{}') AS c,
          coalesce(array_agg(volume ORDER BY ts, k), '{}') AS v
        FROM (
          SELECT (array_position(${sql.array([...symbols], 'text')}, symbol) - 1)::float8 AS k, ts, (extract(epoch FROM ts) * 1000)::float8 AS ms,
            open::float8 AS open, high::float8 AS high, low::float8 AS low, close::float8 AS close, volume::float8 AS volume
          FROM candles
          WHERE symbol = ANY(${sql.array([...symbols], 'text')}) AND timeframe = ${timeframe} AND ts >= ${at(fromMs)} AND ts <= ${at(toMs)}
        ) bars`);
      return { symbols: [...symbols], ...row };
    },

    async barsAt(symbols, timeframe, ts) {
      const rows = await db.any(sql.type(BarRow)`
        SELECT (array_position(${sql.array([...symbols], 'text')}, symbol) - 1)::int AS k, ts, open, high, low, close, volume
        FROM candles WHERE symbol = ANY(${sql.array([...symbols], 'text')}) AND timeframe = ${timeframe} AND ts = ${at(ts)}
        ORDER BY k`);
      return rows.map((r): Bar => ({ symbol: symbols[r.k]!, ts: r.ts, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume }));
    },

    async stored(symbols) {
      const rows = await db.any(sql.type(StoredRow)`
        SELECT symbol, timeframe, count(*)::int AS bars, min(ts) AS first, max(ts) AS last
        FROM candles WHERE symbol = ANY(${sql.array([...symbols], 'text')}) GROUP BY symbol, timeframe ORDER BY symbol, timeframe`);
      return rows.map((r) => ({ ...r, timeframe: r.timeframe as Timeframe }));
    },

    async coverage(symbols, timeframe, fromMs, toMs) {
      const rows = await db.any(sql.type(CoverageRow)`
        SELECT s.symbol, count(c.ts)::int AS bars, min(c.ts) AS first, max(c.ts) AS last
        FROM unnest(${sql.array([...symbols], 'text')}) AS s(symbol)
        LEFT JOIN candles c ON c.symbol = s.symbol AND c.timeframe = ${timeframe} AND c.ts >= ${at(fromMs)} AND c.ts <= ${at(toMs)}
        GROUP BY s.symbol`);
      const by = new Map(rows.map((r) => [r.symbol, r]));
      return symbols.map((symbol): Coverage => by.get(symbol) ?? { symbol, bars: 0, first: null, last: null });
    },
  };
}

/** The candles of a handler's batch connection; an actor that reads candles runs on Postgres (the memory kernel passes its own source). */
export function candlesOfBatch(db: CommonQueryMethods | null): CandleSource {
  if (!db) throw new Error('this actor reads candles from Postgres (ctx.db); on the memory log, give its handler a memory CandleSource');
  return createPostgresCandleSource(db);
}
