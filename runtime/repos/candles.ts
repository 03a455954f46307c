// Bars of one series (symbol, timeframe) for the gateway, ascending, as compact {t, o, h, l, c, v} rows.
// With a lower bound, the first `limit` bars from it (and where the next page starts); without, the last
// `limit` bars up to the upper bound (a chart's latest bars).
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { Timeframe } from '../../protocol/index.ts';

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

const BarRow = v.object({ ts: v.number(), o: v.number(), h: v.number(), l: v.number(), c: v.number(), v: v.number() });
const at = (t: number) => sql.fragment`${new Date(t).toISOString()}::timestamptz`;
const iso = (t: number) => new Date(t).toISOString();

export async function readBars(db: CommonQueryMethods, symbol: string, timeframe: Timeframe, fromMs: number | null, toMs: number | null, limit: number): Promise<BarsPage> {
  const where = [sql.fragment`cd.symbol = ${symbol}`, sql.fragment`cd.timeframe = ${timeframe}`];
  if (fromMs !== null) where.push(sql.fragment`cd.ts >= ${at(fromMs)}`);
  if (toMs !== null) where.push(sql.fragment`cd.ts <= ${at(toMs)}`);
  const columns = sql.fragment`cd.ts, cd.open::float8 AS o, cd.high::float8 AS h, cd.low::float8 AS l, cd.close::float8 AS c, cd.volume::float8 AS v`;
  const cond = sql.join(where, sql.fragment` AND `);
  if (fromMs === null) {
    const rows = await db.any(sql.type(BarRow)`
      SELECT tail.* FROM (SELECT ${columns} FROM candles cd WHERE ${cond} ORDER BY cd.ts DESC LIMIT ${limit}) tail ORDER BY tail.ts`);
    return { bars: rows.map(toBar), next_from: null };
  }
  const rows = await db.any(sql.type(BarRow)`SELECT ${columns} FROM candles cd WHERE ${cond} ORDER BY cd.ts LIMIT ${limit + 1}`);
  const more = rows.length > limit ? rows[limit]! : null;
  return { bars: rows.slice(0, limit).map(toBar), next_from: more ? iso(more.ts) : null };
}

function toBar(r: v.InferOutput<typeof BarRow>): BarView {
  return { t: iso(r.ts), o: r.o, h: r.h, l: r.l, c: r.c, v: r.v };
}
