// The gateway actor (GLaDOS API): Weaver's only northbound door. Its subscription projects the actors'
// events into thin ui.* events; its start() serves REST, SSE and the REST tail on WEAVER_HOST:WEAVER_PORT.
import { defineActor } from '../../runtime/actor/define.ts';
import { loadConfig } from '../../runtime/config.ts';
import { initialProjection, PROJECTED_TYPES, project, type ProjectionState } from './project.ts';
import { startGateway, type RunningGateway } from './server.ts';

let running: RunningGateway | null = null;

export default defineActor<ProjectionState>({
  kind: 'gateway',
  subscribe: {
    asyncCommit: true, // ui.* events derive from the log and stay in Postgres
    types: PROJECTED_TYPES,
    initialState: initialProjection,
    batchSize: 500,
    handle: (event, ctx) => {
      for (const ui of project(event, ctx.state)) ctx.emit(ui);
    },
  },
  async start(ctx) {
    if (!ctx.databaseUrl) throw new Error('the gateway needs a database (it serves reads of its own)');
    const config = loadConfig();
    running = await startGateway({ config: config.gateway, databaseUrl: ctx.databaseUrl, publish: (events) => ctx.publish(events), log: ctx.log, pollMs: config.pollIntervalMs });
  },
  async stop() {
    await running?.close();
    running = null;
  },
});
