// Bars of one series (symbol, timeframe) for the gateway, ascending, as compact {t, o, h, l, c, v} rows.
// With a lower bound, the first `limit` bars from it (and where the next page starts); without, the last
// `limit` bars up to the upper bound (a chart's latest bars). readBarColumns answers the same bars as one
// array per field with t in epoch ms (format=columns: less JSON to write and parse, no dates to parse).
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

export interface BarColumns {
  /** Bar starts, epoch ms. */
  t: number[];
  o: number[];
  h: number[];
  l: number[];
  c: number[];
  v: number[];
  next_from: string | null;
}

/** The bars of readBars as columns: t is selected as epoch ms (float8), not ISO text. */
export async function readBarColumns(db: CommonQueryMethods, symbol: string, timeframe: Timeframe, fromMs: number | null, toMs: number | null, limit: number): Promise<BarColumns> {
  const where = [sql.fragment`cd.symbol = ${symbol}`, sql.fragment`cd.timeframe = ${timeframe}`];
  if (fromMs !== null) where.push(sql.fragment`cd.ts >= ${at(fromMs)}`);
  if (toMs !== null) where.push(sql.fragment`cd.ts <= ${at(toMs)}`);
  const columns = sql.fragment`(extract(epoch from cd.ts) * 1000)::float8 AS t, cd.open::float8 AS o, cd.high::float8 AS h, cd.low::float8 AS l, cd.close::float8 AS c, cd.volume::float8 AS v`;
  const cond = sql.join(where, sql.fragment` AND `);
  type Row = { t: number; o: number; h: number; l: number; c: number; v: number };
  let rows: Row[];
  let next: string | null = null;
  if (fromMs === null) {
    rows = (await db.query(sql.unsafe`
      SELECT tail.t, tail.o, tail.h, tail.l, tail.c, tail.v FROM (SELECT cd.ts, ${columns} FROM candles cd WHERE ${cond} ORDER BY cd.ts DESC LIMIT ${limit}) tail ORDER BY tail.ts`)).rows as unknown as Row[];
  } else {
    rows = (await db.query(sql.unsafe`SELECT ${columns} FROM candles cd WHERE ${cond} ORDER BY cd.ts LIMIT ${limit + 1}`)).rows as unknown as Row[];
    if (rows.length > limit) {
      next = new Date(rows[limit]!.t).toISOString();
      rows = rows.slice(0, limit);
    }
  }
  const n = rows.length;
  const out: BarColumns = { t: new Array(n), o: new Array(n), h: new Array(n), l: new Array(n), c: new Array(n), v: new Array(n), next_from: next };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    out.t[i] = r.t;
    out.o[i] = r.o;
    out.h[i] = r.h;
    out.l[i] = r.l;
    out.c[i] = r.c;
    out.v[i] = r.v;
  }
  return out;
}
