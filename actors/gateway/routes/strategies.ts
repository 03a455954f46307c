// The strategies a run may name: GET /strategies (all, sorted by name) and GET /strategies/:name, each
// {name, description, params: [{name, type, default, min, max, description}]}, as `weaver strategies --json`.
import * as v from 'valibot';
import { ParamValue } from '../../../protocol/index.ts';
import { describeStrategy, isKnownStrategy, listStrategies, strategyNames } from '../../../runtime/repos/strategies.ts';
import type { GatewayDeps } from '../deps.ts';
import { notFound } from '../http/errors.ts';
import { route, type RouteSpec } from '../http/route.ts';

const Strategy = v.object({
  name: v.string(),
  description: v.string(),
  params: v.array(
    v.object({
      name: v.string(),
      type: v.picklist(['integer', 'number', 'boolean', 'string']),
      default: ParamValue,
      min: v.nullable(v.number()),
      max: v.nullable(v.number()),
      description: v.string(),
    }),
  ),
});

const NameParams = v.strictObject({ name: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a strategy name: lower-case letters, digits and _ (see GET /strategies)')) });

export function strategyRoutes(_deps: GatewayDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/strategies',
      tag: 'strategies',
      summary: 'The strategies a run may use, with their parameters, defaults and bounds (null: none)',
      query: v.strictObject({}),
      responses: { 200: { description: 'every strategy, sorted by name', schema: v.array(Strategy) } },
      handle: () => listStrategies(),
    }),
    route({
      method: 'get',
      path: '/strategies/:name',
      tag: 'strategies',
      summary: 'One strategy with its parameters',
      params: NameParams,
      query: v.strictObject({}),
      responses: { 200: { description: 'the strategy', schema: Strategy } },
      errors: [404],
      handle: ({ params }) => {
        if (!isKnownStrategy(params.name)) {
          throw notFound(`unknown strategy "${params.name}"; known strategies: ${strategyNames().join(', ')}`, { strategy: params.name, known: strategyNames() });
        }
        return describeStrategy(params.name);
      },
    }),
  ];
}
