// The router actor (GLaDOS): run lifecycle and domain routing, on the Postgres event log.
import { defineActor } from '../../runtime/actor/define.ts';
import { createRouterHandler, ROUTER_TYPES } from './handler.ts';
import { initialRouterState, type RouterState } from './runs.ts';

let handler: ReturnType<typeof createRouterHandler> | null = null;

export default defineActor<RouterState>({
  kind: 'router',
  subscribe: {
    asyncCommit: true, // every effect derives from the log and stays in Postgres
    types: ROUTER_TYPES,
    initialState: initialRouterState,
    batchSize: 500,
    handle: (event, ctx, actor) => (handler ??= createRouterHandler(actor.id))(event, ctx),
  },
});
