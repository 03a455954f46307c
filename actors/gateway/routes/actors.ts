// (being written)
import type { GatewayDeps } from '../deps.ts';
import type { RouteSpec } from '../http/route.ts';

export function actorRoutes(_deps: GatewayDeps): RouteSpec[] {
  return [];
}
