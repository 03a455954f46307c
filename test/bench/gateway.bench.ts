// npm run bench:gateway [-- --json] [-- --fast] [-- --seconds 5] [-- --poll-ms 500]
//   diagnosis: [-- --clients 1,10,100] [-- --paths projected,direct] [-- --no-held] [-- --no-rest]
// Gateway figures (issue 4): append → SSE delivery latency with 1, 10 and 100 connected clients at 200
// events/s (target p99 ≤ 50 ms with 100 clients), and REST read throughput of GET /orders beside the
// machine's ceiling, GET /healthz (no database), on the same server. Not a test: it prints numbers, it
// asserts nothing.
//
// Threads. The server (test/bench/gateway-server.ts: the projection consumer and startGateway, as the
// gateway actor runs them in its worker), the producer (gateway-producer.ts), the SSE clients
// (gateway-sse.ts) and the REST load (gateway-http.ts) each run in a worker thread of their own; this thread
// only directs. Postgres is an embedded cluster with fsync and synchronous commit ON (production settings:
// the producer's commit, a WAL flush, is part of what a screen waits for); --fast runs it like the tests
// and bench:eventlog instead (fsync off), to see what the flush costs.
//
// Latency. Each measured event carries its append time in its order id (gateway-rpc.ts), stamped just
// before publish, so every figure includes the producer's INSERT and commit. Two paths: `projected`
// (orders.Accepted → the gateway's projection consumer → ui.OrderStatus → events hub → SSE) and `direct`
// (ui.OrderStatus appended as such → hub → SSE) to show the projection hop. Points per event, each minus
// the stamp: commit (publish resolved, producer), handled (the projection consumer has it), ui commit (its
// batch committed), hub (the hub hands the ui event to its listeners) and SSE (the chunk reaches a client;
// per event and per client). cpu: the thread CPU time of the server and the clients, a share of one core.
// Then sporadic events (5/s) alone and beside a session holding transactions open (measureHeldHorizon),
// and REST: 10 keep-alive clients for 5 s on GET /healthz (no database: this server's ceiling), GET
// /orders?run_id=…&limit=100 (a run of 10,000 orders) and GET /runs (50 runs).
// Settings: rate limit off (rateLimitPerMinute 0), WEAVER_LOG_LEVEL=warn (logs to stderr), poll backstop
// WEAVER_POLL_INTERVAL_MS's default 500 ms unless --poll-ms. The machine is shared: the load average
// before and after is printed; on 2 cores every busy neighbour shows in the tails.
import os from 'node:os';
import pg from 'pg';
import { sql } from 'slonik';
import { createPool } from '../../runtime/db/pool.ts';
import { buildRunSpec } from '../../runtime/backtest/spec.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { round, spread, startWorker, type Spread } from './gateway-rpc.ts';
import { intFlag, json, say } from './flags.ts';

process.env.WEAVER_LOG_LEVEL = 'warn';
process.env.WEAVER_LOG_FD = '2';

const fast = process.argv.includes('--fast');


/** A comma-separated list (diagnosis: --clients 100 --paths direct). */
function listFlag<T extends string | number>(name: string, fallback: T[]): T[] {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const items = (process.argv[at + 1] ?? '').split(',').map((x) => (typeof fallback[0] === 'number' ? Number(x) : x)) as T[];
  if (items.some((x) => (typeof x === 'number' ? !(Number.isInteger(x) && x > 0) : !fallback.includes(x)))) {
    console.error(`${name} must be a comma-separated list like ${fallback.join(',')}, got ${process.argv[at + 1]}`);
    process.exit(2);
  }
  return items;
}

const SECONDS = intFlag('--seconds', 5, 'bench:gateway');
const POLL_MS = intFlag('--poll-ms', 500, 'bench:gateway');
const RATE = 200;
const WARMUP_SECONDS = 1;
const CLIENT_COUNTS = listFlag('--clients', [1, 10, 100]);
const PATHS = listFlag('--paths', ['projected', 'direct']) as ('projected' | 'direct')[];
const REST = !process.argv.includes('--no-rest');
const HELD = !process.argv.includes('--no-held');
const ORDERS = 10_000;
const REST_CONCURRENCY = 10;
const REST_SECONDS = 5;
const TARGET_P99_MS = 50;
const here = (file: string) => new URL(file, import.meta.url);
const loadAverage = () => os.loadavg().map((x) => round(x, 2));

/** A run with ORDERS orders, written as WallE would (500 rows per transaction), and 49 more runs. */
async function seed(url: string): Promise<string> {
  const db = await createPool(url, { maximumPoolSize: 1 });
  const spec = buildRunSpec({ strategy: 'sma_cross', symbols: ['DEMO'], timeframe: '1m', params: { fast: 20, slow: 100 } });
  const runId = spec.run_id;
  const instanceId = spec.instances[0]!.instance_id;
  for (let i = 0; i < 50; i++) {
    const id = i === 0 ? runId : crypto.randomUUID();
    await db.query(sql.unsafe`INSERT INTO runs (id, mode, status, spec, started_at, ended_at) VALUES (${id}::uuid, 'backtest', 'completed', ${sql.jsonb({ ...spec, run_id: id })}, now(), now())`);
  }
  for (let from = 0; from < ORDERS; from += 500) {
    await db.query(sql.unsafe`
      INSERT INTO orders (id, run_id, instance_id, symbol, side, type, qty, status, filled_qty, avg_fill_price, decided_at, bar_index)
      SELECT 'o-' || g, ${runId}::uuid, ${instanceId}::uuid, 'DEMO', CASE WHEN g % 2 = 0 THEN 'buy' ELSE 'sell' END, 'market', 1,
        'filled', 1, 100 + g * 0.01, timestamptz '2024-01-01T00:00:00Z' + g * interval '1 minute', g
      FROM generate_series(${from}::int, ${Math.min(from + 500, ORDERS) - 1}::int) AS g`);
  }
  await db.query(sql.unsafe`ANALYZE`);
  await db.end();
  return runId;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface RestRow {
  route: string;
  concurrency: number;
  requests_per_s: number;
  latency_ms: Spread;
  /** The server thread's CPU time during the load (warm-up included), a share of one core: ~1 means it is the limit. */
  server_thread_cpu: number;
  statuses: Record<string, number>;
}

/** GET /healthz (the ceiling: no database), GET /orders (while it is not served, skipped) and GET /runs. */
async function measureRest(url: string, runId: string, server: Thread): Promise<{ rest: RestRow[]; ordersReady: boolean }> {
  say(`REST: ${REST_CONCURRENCY} keep-alive clients, ${REST_SECONDS} s per route …`);
  const http = await startWorker(here('./gateway-http.ts'));
  const ordersPath = `/orders?run_id=${runId}&limit=100`;
  const probe = await http.call<{ status: number; body: string }>('probe', { url: url + ordersPath });
  const ordersReady = probe.status === 200;
  if (!ordersReady) say(`GET /orders is not served yet (${probe.status} ${probe.body.slice(0, 120)}); measuring GET /runs only`);
  const rest: RestRow[] = [];
  for (const path of ['/healthz', ordersPath, '/runs']) {
    if (path === ordersPath && !ordersReady) continue;
    await server.call('cpu');
    const r = await http.call<{ requestsPerSecond: number; latencyMs: Spread; statuses: Record<string, number> }>('load', { url: url + path, concurrency: REST_CONCURRENCY, seconds: REST_SECONDS });
    const cpu = round(await server.call<number>('cpu'), 2);
    rest.push({ route: `GET ${path.replace(runId, ':run_id')}`, concurrency: REST_CONCURRENCY, requests_per_s: r.requestsPerSecond, latency_ms: r.latencyMs, server_thread_cpu: cpu, statuses: r.statuses });
  }
  await http.terminate();
  return { rest, ordersReady };
}

interface SseRow {
  path: 'projected' | 'direct';
  clients: number;
  events_per_client: number;
  /** The fewest measured events any client received (all of them: events_per_client). */
  received_min: number;
  /** More than events_per_client: some event came twice. */
  received_max: number;
  out_of_order: number;
  achieved_rate: number;
  /** Appends that started more than one interval late (the producer could not keep the rate). */
  late_ticks: number;
  /** Each stage as the time since the append stamp, in ms: see the header. handled and ui_commit: projected only. */
  commit_ms: Spread;
  handled_ms: Spread | null;
  ui_commit_ms: Spread | null;
  hub_ms: Spread;
  sse_ms: Spread;
  /** CPU time of the server and the SSE clients' threads while it ran, as a share of one core. */
  server_thread_cpu: number;
  clients_thread_cpu: number;
}

type Thread = Awaited<ReturnType<typeof startWorker>>;

/**
 * Sporadic ui events (5/s, direct path, 1 client) twice: alone, then beside a session that keeps a
 * transaction with an xid open 20 ms at a time, back to back (any writer does this: WallE, a backtest). An
 * event committed while an older transaction is open sits past the horizon the hub reads behind; when that
 * transaction ends no NOTIFY follows (it appended nothing), so the event waits for the next ui.* NOTIFY or
 * the poll backstop.
 */
async function measureHeldHorizon(url: string, t: { server: Thread; producer: Thread; sse: Thread; url: string }) {
  const rate = 5;
  const seconds = 6;
  await t.sse.call('connect', { url: t.url, n: 1 });
  await until('1 SSE session', async () => (await t.server.call<number>('sessions')) === 1);
  const out = [];
  for (const beside of [false, true]) {
    say(`held horizon: ${rate} events/s for ${seconds} s, direct, 1 client, ${beside ? 'beside 20 ms transactions' : 'alone'} …`);
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    let stop = false;
    const holding = (async () => {
      while (beside && !stop) {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_current_xact_id()');
        await new Promise((r) => setTimeout(r, 20));
        await holder.query('COMMIT');
      }
    })();
    await t.server.call('takeLatencies');
    const produced = await t.producer.call<{ commits: Float64Array }>('run', { path: 'direct', rate, seconds, warmupSeconds: 0.4 });
    const got = await t.sse.call<{ latencies: Float64Array; minReceived: number }>('collect', { expected: produced.commits.length, timeoutMs: 3_000 });
    stop = true;
    await holding;
    await holder.end();
    const probes = await t.server.call<Taken>('takeLatencies');
    out.push({ beside_open_transactions: beside, events_per_s: rate, events: produced.commits.length, received: got.minReceived, hub_ms: spread(probes.hub), sse_ms: spread(got.latencies) });
  }
  await t.sse.call('close');
  await until('the SSE session to close', async () => (await t.server.call<number>('sessions')) === 0);
  return out;
}

interface Taken {
  handled: Float64Array;
  committed: Float64Array;
  hub: Float64Array;
}

const loadBefore = loadAverage();
say(`machine: ${os.availableParallelism()} cores, load average ${loadBefore.join(' ')}; Node ${process.version}`);
say(`settings: Postgres ${fast ? 'fsync OFF (--fast)' : 'fsync + synchronous commit ON'}; rate limit off; WEAVER_LOG_LEVEL=warn; poll backstop ${POLL_MS} ms; server, producer, SSE clients and REST load each in a worker thread`);
const db = await startTestPostgres({ durable: !fast });
try {
  say(`seeding ${ORDERS} orders of one run (and 50 runs) …`);
  const runId = await seed(db.url);
  const server = await startWorker(here('./gateway-server.ts'), { databaseUrl: db.url, pollMs: POLL_MS });
  const url = await server.call<string>('url');
  const producer = await startWorker(here('./gateway-producer.ts'), { databaseUrl: db.url });
  const sse = await startWorker(here('./gateway-sse.ts'));

  const rows: SseRow[] = [];
  for (const n of CLIENT_COUNTS) {
    await sse.call('connect', { url, n });
    await until(`${n} SSE sessions`, async () => (await server.call<number>('sessions')) === n);
    for (const path of PATHS) {
      say(`SSE, ${path}, ${n} client${n === 1 ? '' : 's'}: ${RATE} events/s for ${WARMUP_SECONDS} + ${SECONDS} s …`);
      await server.call('takeLatencies');
      await server.call('cpu');
      await sse.call('cpu');
      const produced = await producer.call<{ commits: Float64Array; achievedRate: number; lateTicks: number }>('run', { path, rate: RATE, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS });
      const expected = produced.commits.length;
      const got = await sse.call<{ latencies: Float64Array; minReceived: number; maxReceived: number; outOfOrder: number }>('collect', { expected, timeoutMs: 5_000 });
      const serverCpu = await server.call<number>('cpu');
      const clientsCpu = await sse.call<number>('cpu');
      const probes = await server.call<Taken>('takeLatencies');
      rows.push({
        path,
        clients: n,
        events_per_client: expected,
        received_min: got.minReceived,
        received_max: got.maxReceived,
        out_of_order: got.outOfOrder,
        achieved_rate: round(produced.achievedRate, 1),
        late_ticks: produced.lateTicks,
        commit_ms: spread(produced.commits),
        handled_ms: path === 'projected' ? spread(probes.handled) : null,
        ui_commit_ms: path === 'projected' ? spread(probes.committed) : null,
        hub_ms: spread(probes.hub),
        sse_ms: spread(got.latencies),
        server_thread_cpu: round(serverCpu, 2),
        clients_thread_cpu: round(clientsCpu, 2),
      });
    }
    await sse.call('close');
    await until('the SSE sessions to close', async () => (await server.call<number>('sessions')) === 0);
  }

  const held = HELD ? await measureHeldHorizon(db.url, { server, producer, sse, url }) : [];
  const { rest, ordersReady } = REST ? await measureRest(url, runId, server) : { rest: [], ordersReady: false };
  await producer.call('stop');
  await server.call('stop');
  await Promise.all([server.terminate(), producer.terminate(), sse.terminate()]);

  const worst100 = rows.filter((r) => r.clients === 100).reduce((m, r) => Math.max(m, r.sse_ms.p99), 0);
  const figures = {
    machine: { cores: os.availableParallelism(), node: process.version, load_before: loadBefore, load_after: loadAverage() },
    settings: {
      postgres: fast ? 'fsync off' : 'fsync on, synchronous_commit on',
      rate_limit: 'off',
      log_level: 'warn',
      poll_ms: POLL_MS,
      events_per_s: RATE,
      seconds: SECONDS,
      threads: 'server (projection consumer + gateway), producer, SSE clients, REST load: one worker thread each',
    },
    sse: rows,
    held_horizon: held,
    rest,
    orders_route_served: ordersReady,
    targets: { sse_p99_ms_100_clients: `<= ${TARGET_P99_MS}`, met: rows.some((r) => r.clients === 100) ? worst100 <= TARGET_P99_MS : null },
  };
  if (json) console.log(JSON.stringify(figures));
  else {
    const two = (s: Spread | null) => (s ? [s.p50.toFixed(1), s.p99.toFixed(1)] : ['-', '-']);
    print([
      ['path', 'clients', 'recv/sent', 'commit p50', 'p99', 'handled p50', 'p99', 'ui commit p50', 'p99', 'hub p50', 'p99', 'SSE p50', 'p99', 'max', 'cpu srv/cli', ''],
      ...rows.map((r) => [
        r.path,
        String(r.clients),
        `${r.received_min}/${r.events_per_client}`,
        ...two(r.commit_ms),
        ...two(r.handled_ms),
        ...two(r.ui_commit_ms),
        ...two(r.hub_ms),
        ...two(r.sse_ms),
        r.sse_ms.max.toFixed(1),
        `${r.server_thread_cpu.toFixed(2)}/${r.clients_thread_cpu.toFixed(2)}`,
        r.clients === 100 ? `target SSE p99 ≤ ${TARGET_P99_MS} ms` : '',
      ]),
    ]);
    console.log(`ms since the stamp taken before publish, at ${RATE} events/s: commit = publish resolved (producer), handled = the gateway's projection`);
    console.log('consumer handles orders.Accepted, ui commit = its batch committed, hub = the hub hands the ui event out, SSE = a client has it (per client)');
    console.log('recv/sent: the fewest measured events any client got; cpu: server and clients threads, share of one core');
    if (rows.some((r) => r.out_of_order > 0 || r.received_max > r.events_per_client)) console.log('WRONG: some client got an event twice or out of order (see --json: out_of_order, received_max)');
    const behind = rows.filter((r) => r.achieved_rate < 0.98 * RATE);
    if (behind.length > 0) console.log(`the producer fell behind ${RATE} events/s: ${behind.map((r) => `${r.path}/${r.clients} ${r.achieved_rate}/s`).join(', ')}`);
    if (held.length > 0) {
      console.log('');
      print([
        ['sporadic ui events (direct, 1 client)', 'recv/sent', 'hub p50', 'p99', 'max', 'SSE p50', 'p99', 'max'],
        ...held.map((h) => [`${h.events_per_s}/s ${h.beside_open_transactions ? 'beside 20 ms transactions' : 'alone'}`, `${h.received}/${h.events}`, ...[h.hub_ms, h.sse_ms].flatMap((x) => [x.p50.toFixed(1), x.p99.toFixed(1), x.max.toFixed(1)])]),
      ]);
      console.log(`beside: another session keeps a transaction open 20 ms at a time; the hub reads behind the horizon and waits for the next ui.* NOTIFY or its ${POLL_MS} ms poll`);
    }
    if (rest.length > 0) {
      console.log('');
      print([
        ['route', 'clients', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'cpu srv', 'statuses'],
        ...rest.map((r) => [r.route, String(r.concurrency), String(r.requests_per_s), r.latency_ms.p50.toFixed(2), r.latency_ms.p99.toFixed(2), r.latency_ms.max.toFixed(1), r.server_thread_cpu.toFixed(2), JSON.stringify(r.statuses)]),
      ]);
      console.log(`GET /healthz (no database) is this server's ceiling${ordersReady ? '' : '; GET /orders is not served yet, so it is missing'}`);
    }
    console.log(`Postgres ${figures.settings.postgres}; rate limit off; WEAVER_LOG_LEVEL=warn; poll ${POLL_MS} ms; load average ${figures.machine.load_before.join(' ')} → ${figures.machine.load_after.join(' ')}`);
  }
} finally {
  await db.stop();
}

function print(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}
