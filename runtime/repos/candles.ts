// Bars of one series (symbol, timeframe) for the gateway, ascending, as compact {t, o, h, l, c, v} rows.
// With a lower bound, the first `limit` bars from it (and where the next page starts); without, the last
// `limit` bars up to the upper bound (a chart's latest bars).
import { sql, type CommonQueryMethods } from 'slonik';
import type { Timeframe } from '../../protocol/index.ts';
import { isoText } from './iso.ts';

export interface BarView {
  /** Bar start, ISO-8601 UTC. */
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

export interface BarsPage {
  bars: BarView[];
  /** With a lower bound and more bars in range than the limit: the start of the first bar not returned. */
  next_from: string | null;
}

/**
 * Rows as Postgres makes them (t already ISO text, numbers float8), without a per-row schema check: a chart
 * asks for 10,000 bars a request, and slonik's per-row async check plus the Date round trip of each
 * timestamp were most of the request's time. The query's own casts fix the types.
 */
type BarRow = BarView;
const at = (t: number) => sql.fragment`${new Date(t).toISOString()}::timestamptz`;

export async function readBars(db: CommonQueryMethods, symbol: string, timeframe: Timeframe, fromMs: number | null, toMs: number | null, limit: number): Promise<BarsPage> {
  const where = [sql.fragment`cd.symbol = ${symbol}`, sql.fragment`cd.timeframe = ${timeframe}`];
  if (fromMs !== null) where.push(sql.fragment`cd.ts >= ${at(fromMs)}`);
  if (toMs !== null) where.push(sql.fragment`cd.ts <= ${at(toMs)}`);
  const columns = sql.fragment`${isoText(sql.identifier(['cd', 'ts']))} AS t, cd.open::float8 AS o, cd.high::float8 AS h, cd.low::float8 AS l, cd.close::float8 AS c, cd.volume::float8 AS v`;
  const cond = sql.join(where, sql.fragment` AND `);
  if (fromMs === null) {
    const rows = (await db.query(sql.unsafe`
      SELECT tail.t, tail.o, tail.h, tail.l, tail.c, tail.v FROM (SELECT cd.ts, ${columns} FROM candles cd WHERE ${cond} ORDER BY cd.ts DESC LIMIT ${limit}) tail ORDER BY tail.ts`)).rows as unknown as BarRow[];
    return { bars: rows, next_from: null };
  }
  const rows = (await db.query(sql.unsafe`SELECT ${columns} FROM candles cd WHERE ${cond} ORDER BY cd.ts LIMIT ${limit + 1}`)).rows as unknown as BarRow[];
  const more = rows.length > limit ? rows[limit]! : null;
  return { bars: rows.slice(0, limit), next_from: more ? more.t : null };
}
