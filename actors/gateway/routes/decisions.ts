// A run's decisions: GET /runs/:id/decisions, what each strategy instance did on a bar and why (with its
// details, e.g. the values it plotted), in pages on (ts, id), oldest first or newest first (order=desc).
import * as v from 'valibot';
import { decodeDecisionCursor, DecisionView, encodeDecisionCursor, listDecisions, type DecisionKey } from '../../../runtime/repos/decisions.ts';
import { runFromLog } from '../../../runtime/repos/run-log.ts';
import { getRun } from '../../../runtime/repos/runs.ts';
import type { GatewayDeps } from '../deps.ts';
import { invalid, notFound } from '../http/errors.ts';
import { route, type RouteSpec } from '../http/route.ts';
import { LimitQuery, Page, UuidParam, UuidQuery } from '../http/schemas.ts';

const Cursor = v.pipe(
  v.string(),
  v.check((s) => decodeDecisionCursor(s) !== null, 'must be a next_cursor from an earlier GET /runs/:id/decisions answer'),
  v.transform((s): DecisionKey => decodeDecisionCursor(s)!),
);

const Params = v.strictObject({ id: UuidParam });
const Query = v.strictObject({
  instance_id: v.optional(UuidQuery),
  order: v.optional(v.picklist(['asc', 'desc'], 'must be asc (oldest first) or desc (newest first)'), 'asc'),
  limit: LimitQuery(100, 1000),
  cursor: v.optional(Cursor),
});

export function decisionRoutes(deps: GatewayDeps): RouteSpec[] {
  const { db } = deps;
  return [
    route({
      method: 'get',
      path: '/runs/:id/decisions',
      tag: 'runs',
      summary: "A run's strategy decisions (action, reason, details per bar), in pages",
      description:
        'Rows come by (ts, id), oldest first, or newest first with order=desc. Pass next_cursor back as cursor ' +
        '(with the same order and instance_id) for the next page; next_cursor is null when a page is empty.',
      params: Params,
      query: Query,
      responses: { 200: { description: 'a page of decisions', schema: Page(DecisionView) } },
      errors: [404],
      handle: async ({ params, query }) => {
        if (query.cursor && query.cursor.order !== query.order) {
          throw invalid(`invalid query: the cursor was made for order=${query.cursor.order}; pass the same order with it`, [
            { path: 'query.cursor', message: `belongs to order=${query.cursor.order}` },
          ]);
        }
        if (!(await getRun(db, params.id)) && !(await runFromLog(db, params.id))) throw notFound(`no run ${params.id} (see GET /runs)`, { run_id: params.id });
        const filter = { runId: params.id, ...(query.instance_id !== undefined ? { instanceId: query.instance_id } : {}) };
        const page = await listDecisions(db, filter, query.order, query.cursor ?? null, query.limit);
        return { items: page.items, next_cursor: page.last ? encodeDecisionCursor(page.last) : null };
      },
    }),
  ];
}
