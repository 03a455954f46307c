// npm run bench:eventlog [-- --json]
// Event-log figures beside the raw Postgres ceiling, measured in one run on the same database
// (DESIGN §10). Not a test: it prints numbers, it asserts nothing.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { startTestPostgres } from '../helpers/postgres.ts';
import { measureRecovery } from './recovery.ts';

const json = process.argv.includes('--json');
const say = (line: string) => !json && console.error(line);
const WORKER = new URL('./eventlog-worker.ts', import.meta.url);

type Done = { type: 'done'; ms?: number; handled?: number; first?: number; last?: number; latencies?: number[] };

function startWorker(data: object): { ready: Promise<void>; done: Promise<Done>; go(): void; worker: Worker } {
  const worker = new Worker(WORKER, { workerData: data });
  let go = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { type: string }) => m.type === 'ready' && resolve());
    go = () => worker.postMessage('go');
  });
  const done = new Promise<Done>((resolve, reject) => {
    worker.on('message', (m: Done) => m.type === 'done' && resolve(m));
    worker.once('error', reject);
  });
  return { ready, done, go: () => go(), worker };
}

/**
 * The raw ceiling: what Postgres takes with none of Weaver in the way. pg's own client, rows built in
 * advance with every envelope column filled as Weaver fills them, 100 rows per INSERT statement (the
 * fastest plain form measured here: one JSON parameter), no validation, no NOTIFY, no conflict check.
 */
async function rawCeiling(url: string, clients: number, seconds: number): Promise<number> {
  const conns = await Promise.all(Array.from({ length: clients }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  await conns[0]!.query('CREATE TABLE IF NOT EXISTS scratch (LIKE outbox INCLUDING ALL)');
  // Enough distinct rows for 3 s at 100,000 rows/s: the scratch table keeps the outbox's unique index on id.
  const batches = Array.from({ length: seconds * 1000 }, () => JSON.stringify(Array.from({ length: 100 }, (_, i) => {
    const id = crypto.randomUUID();
    return { id, kind: 'evt', type: 'bench.Sent', version: 1, run_id: null, corr_id: id, causation_id: null, trace_id: id, ts: new Date().toISOString(), producer: 'bench', headers: {}, payload: { seq: i, t: Date.now() } };
  })));
  const text = `INSERT INTO scratch (id, kind, type, version, run_id, corr_id, causation_id, trace_id, ts, producer, headers, payload)
    SELECT * FROM json_to_recordset($1::json) AS e(id uuid, kind text, type text, version int4, run_id uuid, corr_id uuid,
      causation_id uuid, trace_id uuid, ts timestamptz, producer text, headers jsonb, payload jsonb)`;
  let inserted = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(conns.map(async (c, k) => {
    for (let i = k; i < batches.length && performance.now() < deadline; i += clients) {
      await c.query(text, [batches[i]]);
      inserted += 100;
    }
  }));
  const rate = inserted / ((performance.now() - started) / 1000);
  await Promise.all(conns.map((c) => c.end()));
  return rate;
}

async function appendRate(url: string, threads: number, batch: number, perThread: number): Promise<number> {
  const ws = Array.from({ length: threads }, () => startWorker({ role: 'produce', url, count: perThread, batch }));
  await Promise.all(ws.map((w) => w.ready));
  const started = performance.now();
  ws.forEach((w) => w.go());
  await Promise.all(ws.map((w) => w.done));
  return (threads * perThread) / ((performance.now() - started) / 1000);
}

async function endToEnd(url: string, count: number, producers: number): Promise<number> {
  const consumer = startWorker({ role: 'consume', url, name: `e2e-${Date.now()}`, expect: count, batchSize: 1000 });
  const ps = Array.from({ length: producers }, () => startWorker({ role: 'produce', url, count: count / producers, batch: 100 }));
  await Promise.all([consumer.ready, ...ps.map((p) => p.ready)]);
  const started = performance.timeOrigin + performance.now();
  ps.forEach((p) => p.go());
  const result = await consumer.done;
  await Promise.all(ps.map((p) => p.done));
  return count / ((result.last! - started) / 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(url: string, rate: number, seconds: number) {
  const consumer = startWorker({ role: 'consume', url, name: `lat-${Date.now()}`, expect: rate * seconds, batchSize: 500 });
  const producer = startWorker({ role: 'steady', url, rate, seconds });
  await Promise.all([consumer.ready, producer.ready]);
  producer.go();
  const result = await consumer.done;
  await producer.done;
  const sorted = result.latencies!.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]! };
}

const db = await startTestPostgres();
try {
  const fresh = () => db.newDatabase();
  say(`machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}`);
  say('raw ceiling: multi-row INSERT (100 rows/statement) into a scratch table like the outbox …');
  const ceiling1 = await rawCeiling(await fresh(), 1, 3);
  const ceiling4 = await rawCeiling(await fresh(), 4, 3);
  const ceiling = Math.max(ceiling1, ceiling4);
  say('append throughput (EventLog.publish from worker threads) …');
  const append = {
    t1_b1: await appendRate(await fresh(), 1, 1, 2000),
    t1_b100: await appendRate(await fresh(), 1, 100, 50_000),
    t4_b1: await appendRate(await fresh(), 4, 1, 1000),
    t4_b100: await appendRate(await fresh(), 4, 100, 20_000),
  };
  say('end to end: producer thread(s) → consumer thread, 100,000 events …');
  const e2e = await endToEnd(await fresh(), 100_000, 1);
  const e2e4 = await endToEnd(await fresh(), 100_000, 4);
  say('latency: append → handler at a steady 1,000 events/s for 10 s …');
  const lat = await latency(await fresh(), 1000, 10);
  say('recovery: killed actor → its first handled event after restart …');
  const recovery = await measureRecovery(await fresh());

  const figures = {
    machine: { cores: os.cpus().length, node: process.version },
    raw_ceiling_rows_per_s: { clients_1: Math.round(ceiling1), clients_4: Math.round(ceiling4), ceiling: Math.round(ceiling) },
    append_events_per_s: Object.fromEntries(Object.entries(append).map(([k, val]) => [k, Math.round(val)])),
    end_to_end_events_per_s: { producers_1: Math.round(e2e), producers_4: Math.round(e2e4) },
    // One producer thread is one client: its fair ceiling is the 1-client one; four against the best.
    end_to_end_share_of_ceiling: { producers_1: Number((e2e / ceiling1).toFixed(3)), producers_4: Number((e2e4 / ceiling).toFixed(3)) },
    latency_ms_at_1000_per_s: { p50: Number(lat.p50.toFixed(2)), p99: Number(lat.p99.toFixed(2)), max: Number(lat.max.toFixed(2)) },
    recovery_ms: recovery,
    targets: { end_to_end_share_of_ceiling: '>= 0.5', latency_p99_ms: '<= 25', recovery_ms: '<= 1000' },
  };
  if (json) console.log(JSON.stringify(figures));
  else {
    const rows: [string, string, string][] = [
      ['raw ceiling, 1 client', `${figures.raw_ceiling_rows_per_s.clients_1} rows/s`, ''],
      ['raw ceiling, 4 clients', `${figures.raw_ceiling_rows_per_s.clients_4} rows/s`, ''],
      ['append, 1 thread, batch 1', `${figures.append_events_per_s.t1_b1} ev/s`, ''],
      ['append, 1 thread, batch 100', `${figures.append_events_per_s.t1_b100} ev/s`, ''],
      ['append, 4 threads, batch 1', `${figures.append_events_per_s.t4_b1} ev/s`, ''],
      ['append, 4 threads, batch 100', `${figures.append_events_per_s.t4_b100} ev/s`, ''],
      ['end to end, 1 producer → consumer', `${figures.end_to_end_events_per_s.producers_1} ev/s`, `${(figures.end_to_end_share_of_ceiling.producers_1 * 100).toFixed(0)}% of the 1-client ceiling (target ≥ 50%)`],
      ['end to end, 4 producers → consumer', `${figures.end_to_end_events_per_s.producers_4} ev/s`, `${(figures.end_to_end_share_of_ceiling.producers_4 * 100).toFixed(0)}% of the best ceiling (target ≥ 50%)`],
      ['latency p50 @ 1,000 ev/s', `${figures.latency_ms_at_1000_per_s.p50} ms`, ''],
      ['latency p99 @ 1,000 ev/s', `${figures.latency_ms_at_1000_per_s.p99} ms`, 'target ≤ 25 ms'],
      ['latency max @ 1,000 ev/s', `${figures.latency_ms_at_1000_per_s.max} ms`, ''],
      ['recovery, killed actor → handled', `${recovery} ms`, 'target ≤ 1000 ms'],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  }
} finally {
  await db.stop();
}
