// What candles the database holds: one row per series (symbol, timeframe) with its bar count and the first
// and last bar start. One pass over the primary key index; a few million rows take about a second.
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { formatTimestamp } from '../../data/timestamps.ts';
import { sql } from '../../db/pool.ts';

// slonik returns timestamptz as epoch ms; people and scripts read ISO-8601, as `data import` prints it.
const IsoTime = v.pipe(v.number(), v.transform(formatTimestamp));

export const CandleSeries = v.object({
  symbol: v.string(),
  timeframe: v.string(),
  bars: v.pipe(v.bigint(), v.transform(Number)),
  first: IsoTime,
  last: IsoTime,
  /** Every source the series' rows came from (`demo`, `csv:file.csv` …). */
  sources: v.array(v.string()),
});
export type CandleSeries = v.InferOutput<typeof CandleSeries>;

export async function listCandleSeries(db: CommonQueryMethods): Promise<CandleSeries[]> {
  return [
    ...(await db.any(sql.type(CandleSeries)`
      SELECT symbol, timeframe, count(*) AS bars, min(ts) AS first, max(ts) AS last,
        array_agg(DISTINCT source ORDER BY source) AS sources
      FROM candles
      GROUP BY symbol, timeframe
      ORDER BY symbol, array_position(ARRAY['1m', '5m', '15m', '1h', '1d'], timeframe)`)),
  ];
}
