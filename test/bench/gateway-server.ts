// The gateway benchmark's server thread: the gateway as its actor runs it (actors/gateway/index.ts) in a
// worker of its own — the projection consumer (asynchronous commit, batches of 500, fenced by a lease like a
// supervised actor) and startGateway (REST, SSE, the events hub), both polling every `pollMs` as a backstop
// to NOTIFY (production default WEAVER_POLL_INTERVAL_MS = 500). Probes, each the time since the append
// stamp: the consumer handling the source event, its batch committed, and the hub handing the ui event to
// its listeners (a listener beside the SSE sessions, before any SSE write).
import { workerData } from 'node:worker_threads';
import { sql } from 'slonik';
import { initialProjection, PROJECTED_TYPES, project, type ProjectionState } from '../../actors/gateway/project.ts';
import { startGateway } from '../../actors/gateway/server.ts';
import { createPool } from '../../runtime/db/pool.ts';
import { createPostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import { createLogger } from '../../runtime/log.ts';
import { nowMs, serve, stampOf, threadCpuMeter } from './gateway-rpc.ts';

const { databaseUrl, pollMs } = workerData as { databaseUrl: string; pollMs: number };
const fencing = { actorId: 'gateway', holder: 'gateway-bench', token: 1n };

const admin = await createPool(databaseUrl, { maximumPoolSize: 1 });
await admin.query(sql.unsafe`
  INSERT INTO actor_leases (actor_id, holder, fencing, expires_at) VALUES (${fencing.actorId}, ${fencing.holder}, 1, now() + interval '1 day')
  ON CONFLICT (actor_id) DO UPDATE SET holder = EXCLUDED.holder, fencing = 1, expires_at = EXCLUDED.expires_at`);
await admin.end();

const logger = createLogger('gateway-bench');
const log = await createPostgresEventLog({ url: databaseUrl, poolSize: 2, log: logger, fencing, asyncCommit: true });
// Two more probes on the projected path: when the consumer handles the source event, and when the batch
// that appended its ui event has committed (the consumer's batch notice comes after COMMIT).
let handled: number[] = [];
let committed: number[] = [];
let inBatch: number[] = [];
const projector = log.subscribe<ProjectionState>(
  {
    name: 'gateway',
    types: PROJECTED_TYPES,
    initialState: initialProjection,
    batchSize: 500,
    pollIntervalMs: pollMs,
    fencing,
    producer: 'gateway',
    onEvent: (notice) => {
      if (notice.type !== 'batch') return;
      const now = nowMs();
      for (const t of inBatch) committed.push(now - t);
      inBatch = [];
    },
  },
  (event, ctx) => {
    const stamp = event.type === 'orders.Accepted' ? stampOf((event.payload as { order: { order_id: string } }).order.order_id) : null;
    if (stamp && stamp.seq >= 0) {
      handled.push(nowMs() - stamp.t);
      inBatch.push(stamp.t);
    }
    for (const ui of project(event, ctx.state)) ctx.emit(ui);
  },
);
await projector.ready;
const gateway = await startGateway({
  config: { host: '127.0.0.1', port: 0, apiKey: null, allowIps: [], webOrigin: null, rateLimitPerMinute: 0 },
  databaseUrl,
  publish: (events) => log.publish(events),
  log: logger,
  pollMs,
});

let hubLatencies: number[] = [];
gateway.hub.subscribe((e) => {
  const stamp = stampOf((e.payload as { order_id?: unknown } | null)?.order_id);
  if (stamp && stamp.seq >= 0) hubLatencies.push(nowMs() - stamp.t);
});

serve({
  url: () => gateway.url,
  /** SSE sessions listening to the hub (the probe is one more listener). */
  sessions: () => gateway.hub.subscribers - 1,
  /** The latencies seen by the probes since the last call (projected path only for handled and committed). */
  takeLatencies: () => {
    const taken = { handled: Float64Array.from(handled), committed: Float64Array.from(committed), hub: Float64Array.from(hubLatencies) };
    handled = [];
    committed = [];
    hubLatencies = [];
    return taken;
  },
  /** This thread's CPU time since the last call, as a share of one core. */
  cpu: threadCpuMeter(),
  stop: async () => {
    await gateway.close();
    await projector.stop();
    await log.close();
  },
});
