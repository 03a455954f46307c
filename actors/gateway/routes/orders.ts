// Orders and fills: GET /orders and GET /fills, filtered, in pages. The order is commit order (the key
// (tx, id), runtime/repos/keyset.ts), so a client that passes each next_cursor back sees every row exactly
// once, rows written while it pages included; next_cursor is null once a page comes back empty, and the
// last cursor it had reads on later from where it stopped.
import * as v from 'valibot';
import { OrderStatus } from '../../../protocol/index.ts';
import { decodeCursor, encodeCursor, type CursorKind, type RowKey } from '../../../runtime/repos/keyset.ts';
import { FillView, listFills, listOrders, OrderView, type TradeFilter } from '../../../runtime/repos/orders.ts';
import { isKnownStrategy, strategyUsed } from '../../../runtime/repos/strategies.ts';
import type { GatewayDeps } from '../deps.ts';
import { HttpError, invalid } from '../http/errors.ts';
import { route, type RouteSpec } from '../http/route.ts';
import { LimitQuery, Page, Symbol, TimeQuery, UuidQuery } from '../http/schemas.ts';

const STATUSES = OrderStatus.options;

const Time = TimeQuery;

const cursorMessage = (kind: CursorKind) => `must be a next_cursor from an earlier GET /${kind} answer`;
const Cursor = (kind: CursorKind) =>
  v.pipe(
    v.string(),
    v.check((s) => decodeCursor(kind, s) !== null, cursorMessage(kind)),
    v.transform((s): RowKey => decodeCursor(kind, s)!),
  );

const StrategyName = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a strategy name (see GET /strategies)'));

const filterFields = {
  run_id: v.optional(UuidQuery),
  strategy: v.optional(StrategyName),
  instance_id: v.optional(UuidQuery),
  symbol: v.optional(Symbol),
  from: v.optional(Time),
  to: v.optional(Time),
  limit: LimitQuery(100, 1000),
};
const OrdersQuery = v.strictObject({
  ...filterFields,
  status: v.optional(v.picklist(STATUSES, `must be one of ${STATUSES.join(', ')}`)),
  cursor: v.optional(Cursor('orders')),
});
const FillsQuery = v.strictObject({ ...filterFields, cursor: v.optional(Cursor('fills')) });

const PAGING =
  'Rows come in commit order. Pass next_cursor back as cursor (with the same filters) for the next page; ' +
  'next_cursor is null when a page is empty: everything committed so far has been read. Keep the last cursor ' +
  'you had to read rows written later. from and to are inclusive.';

interface CommonQuery {
  run_id?: string;
  strategy?: string;
  instance_id?: string;
  symbol?: string;
  from?: number;
  to?: number;
}

export function orderRoutes(deps: GatewayDeps): RouteSpec[] {
  const { db } = deps;

  /** The filter of a query. A strategy filter must name a strategy that is loaded or that some run used. */
  async function filterOf(q: CommonQuery): Promise<TradeFilter> {
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
      throw invalid('invalid query: to is before from; give from ≤ to', [{ path: 'query.to', message: 'must not be before from' }]);
    }
    if (q.strategy !== undefined && !isKnownStrategy(q.strategy) && !(await strategyUsed(db, q.strategy))) {
      throw new HttpError(422, 'unknown_strategy', `no strategy "${q.strategy}" is known or used by any run; see GET /strategies`, [{ path: 'query.strategy', message: 'unknown strategy' }]);
    }
    return {
      ...(q.run_id !== undefined ? { runId: q.run_id } : {}),
      ...(q.instance_id !== undefined ? { instanceId: q.instance_id } : {}),
      ...(q.strategy !== undefined ? { strategy: q.strategy } : {}),
      ...(q.symbol !== undefined ? { symbol: q.symbol } : {}),
      ...(q.from !== undefined ? { fromMs: q.from } : {}),
      ...(q.to !== undefined ? { toMs: q.to } : {}),
    };
  }

  return [
    route({
      method: 'get',
      path: '/orders',
      tag: 'orders',
      summary: 'Orders, filtered by run, strategy, instance, symbol, status and decision time, in pages',
      description: PAGING,
      query: OrdersQuery,
      responses: { 200: { description: 'a page of orders', schema: Page(OrderView) } },
      handle: async ({ query }) => {
        const filter = { ...(await filterOf(query)), ...(query.status !== undefined ? { status: query.status } : {}) };
        const page = await listOrders(db, filter, query.cursor ?? null, query.limit);
        return { items: page.items, next_cursor: page.last ? encodeCursor('orders', page.last) : null };
      },
    }),
    route({
      method: 'get',
      path: '/fills',
      tag: 'orders',
      summary: 'Fills, filtered by run, strategy, instance, symbol and time, in pages',
      description: PAGING,
      query: FillsQuery,
      responses: { 200: { description: 'a page of fills', schema: Page(FillView) } },
      handle: async ({ query }) => {
        const page = await listFills(db, await filterOf(query), query.cursor ?? null, query.limit);
        return { items: page.items, next_cursor: page.last ? encodeCursor('fills', page.last) : null };
      },
    }),
  ];
}
