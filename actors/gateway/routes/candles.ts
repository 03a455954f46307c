// Bars: GET /candles?symbol=&timeframe=[&from=&to=&limit=&format=rows|columns] (columns: one array per
// field, t in epoch ms, for charts). A symbol with no bars at that timeframe is a
// 404 that says what is stored for it; a range without bars is an empty 200.
import * as v from 'valibot';
import { TIMEFRAMES } from '../../../protocol/index.ts';
import { createPostgresCandleSource } from '../../../runtime/market-data/postgres.ts';
import { readBarColumns, readBars } from '../../../runtime/repos/candles.ts';
import type { GatewayDeps } from '../deps.ts';
import { invalid, notFound } from '../http/errors.ts';
import { route, type RouteSpec } from '../http/route.ts';
import { LimitQuery, Symbol, TimeQuery } from '../http/schemas.ts';

const Time = TimeQuery;

const CandlesQuery = v.strictObject({
  symbol: Symbol,
  timeframe: v.picklist(TIMEFRAMES, `must be one of ${TIMEFRAMES.join(', ')}`),
  from: v.optional(Time),
  to: v.optional(Time),
  limit: LimitQuery(1000, 10_000),
  format: v.optional(v.picklist(['rows', 'columns'], 'must be rows or columns'), 'rows'),
});

const Bars = v.object({
  symbol: v.string(),
  timeframe: v.picklist(TIMEFRAMES),
  bars: v.array(v.object({ t: v.string(), o: v.number(), h: v.number(), l: v.number(), c: v.number(), v: v.number() })),
  next_from: v.nullable(v.string()),
});

const nums = v.array(v.number());
const BarColumns = v.object({
  symbol: v.string(),
  timeframe: v.picklist(TIMEFRAMES),
  t: nums,
  o: nums,
  h: nums,
  l: nums,
  c: nums,
  v: nums,
  next_from: v.nullable(v.string()),
});

/** An upside-down range is a mistake, not an empty answer. */
function checkRange(q: { from?: number; to?: number }): void {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    throw invalid('invalid query: to is before from; give from ≤ to', [{ path: 'query.to', message: 'must not be before from' }]);
  }
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function candleRoutes(deps: GatewayDeps): RouteSpec[] {
  const { db } = deps;
  return [
    route({
      method: 'get',
      path: '/candles',
      tag: 'market data',
      summary: 'Bars of one symbol and timeframe, ascending by start (t)',
      description:
        'With from: the first limit bars from it up to to (inclusive); next_from is where the next page starts when more bars are in range. ' +
        'Without from: the last limit bars up to to (or the latest). format=columns answers the same bars as arrays t (bar start, epoch ms), o, h, l, c, v instead of bars. 404 when the symbol has no bars at that timeframe at all.',
      query: CandlesQuery,
      responses: { 200: { description: 'the bars', schema: v.union([Bars, BarColumns]) } },
      errors: [404],
      handle: async ({ query }) => {
        checkRange(query);
        const args = [db, query.symbol, query.timeframe, query.from ?? null, query.to ?? null, query.limit] as const;
        const page = query.format === 'columns' ? await readBarColumns(...args) : await readBars(...args);
        if (('bars' in page ? page.bars : page.t).length === 0) {
          const stored = await createPostgresCandleSource(db).stored([query.symbol]);
          if (!stored.some((s) => s.timeframe === query.timeframe)) {
            const what = stored.length > 0
              ? `${query.symbol} has no ${query.timeframe} bars but has ${stored.map((s) => `${s.timeframe} (${s.bars} bars, ${day(s.first!)} … ${day(s.last!)})`).join(', ')}: ask for timeframe=${stored[0]!.timeframe}, or import ${query.timeframe} bars`
              : `${query.symbol} has no bars at all (import them: weaver data import FILE --symbol ${query.symbol} --timeframe ${query.timeframe}; see what is stored: weaver data list)`;
            throw notFound(`no candles: ${what}`, { symbol: query.symbol, timeframe: query.timeframe, stored: stored.map((s) => ({ timeframe: s.timeframe, bars: s.bars, first: new Date(s.first!).toISOString(), last: new Date(s.last!).toISOString() })) });
          }
        }
        return { symbol: query.symbol, timeframe: query.timeframe, ...page };
      },
    }),
  ];
}
