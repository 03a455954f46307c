// A real gateway on a random loopback port over a real, migrated Postgres: startGateway in this process,
// with the event log's publish for its commands. `project: true` also runs the gateway actor's projection
// as a consumer here (the ui.* events the SSE and tail serve). Tests append events with `log.publish`.
import { createPool, type DatabasePool } from '../../runtime/db/pool.ts';
import type { GatewayConfig } from '../../runtime/config.ts';
import { createPostgresEventLog, type PostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import type { Consumer } from '../../runtime/eventlog/types.ts';
import { createLogger, type Logger } from '../../runtime/log.ts';
import { initialProjection, PROJECTED_TYPES, project, type ProjectionState } from '../../actors/gateway/project.ts';
import { startGateway, type RunningGateway } from '../../actors/gateway/server.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

export interface GatewayHarness {
  readonly pg: TestPostgres;
  readonly url: string;
  readonly gateway: RunningGateway;
  /** The same database, for arranging rows and checking that nothing was written. */
  readonly db: DatabasePool;
  readonly log: PostgresEventLog;
  /** fetch(url + path) with JSON helpers. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly config?: Partial<GatewayConfig>;
  readonly project?: boolean;
  readonly pg?: TestPostgres;
  readonly keepAliveMs?: number;
  /** The gateway's logger (default: errors only, so request lines do not flood the test output; WEAVER_TEST_GATEWAY_LOG=1 shows them); tests that read the log lines pass their own. */
  readonly logger?: Logger;
}

export async function startGatewayHarness(opts: HarnessOptions = {}): Promise<GatewayHarness> {
  const pg = opts.pg ?? (await startTestPostgres());
  const logger = opts.logger ?? createLogger('test-gateway').child({}, { level: process.env.WEAVER_TEST_GATEWAY_LOG ? 'info' : 'error' });
  const db = await createPool(pg.url, { maximumPoolSize: 4 });
  const log = await createPostgresEventLog({ url: pg.url, poolSize: 2 });
  let projector: Consumer<ProjectionState> | null = null;
  if (opts.project) {
    projector = log.subscribe<ProjectionState>({ name: 'gateway', types: PROJECTED_TYPES, initialState: initialProjection, pollIntervalMs: 50 }, (event, ctx) => {
      for (const ui of project(event, ctx.state)) ctx.emit(ui);
    });
    await projector.ready;
  }
  const config: GatewayConfig = { host: '127.0.0.1', port: 0, apiKey: null, allowIps: [], webOrigin: null, rateLimitPerMinute: 0, ...opts.config };
  const gateway = await startGateway({ config, databaseUrl: pg.url, publish: (events) => log.publish(events), log: logger, pollMs: 50, ...(opts.keepAliveMs ? { keepAliveMs: opts.keepAliveMs } : {}) });
  const url = gateway.url;
  return {
    pg,
    url,
    gateway,
    db,
    log,
    get: (path, headers = {}) => fetch(url + path, { headers }),
    post: (path, body, headers = {}) =>
      fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) }),
    async close() {
      await gateway.close();
      await projector?.stop();
      await log.close();
      await db.end();
      if (!opts.pg) await pg.stop();
    },
  };
}
