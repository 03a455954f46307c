// Recovery (DESIGN §10): the time from a killed actor to its first handled event after the restart, through
// the real supervisor (startSupervisor: exit detection, restart policy, lease, a fresh worker thread, the
// consumer resuming from its committed offset).
//
// Method. A test-only actor (actors/recovery-ticker.ts) consumes bench.Tick and writes, per handled tick,
// its incarnation and the time of handling into bench_recovery_handled inside the batch transaction. This
// thread publishes a tick every 5 ms through createPostgresEventLog. To kill incarnation n, the next tick
// carries `kill: n`: the handler stamps the moment and calls process.exit(1) inside the batch (a crash:
// the batch rolls back, the supervisor sees the thread exit with code 1). A sample is
//   min(handled_at of incarnation n+1) − the kill stamp,
// both performance.timeOrigin + performance.now(), comparable across the threads of one process. The
// median of 5 samples is returned, in ms. Nothing in runtime/ is touched or patched: the phases below are
// observed from outside (the `worker_threads` diagnostics channel announces every Worker the supervisor
// creates, whose 'online' and 'exit' we listen to; the supervisor's own log lines; the actor's marks on a
// BroadcastChannel).
//
// Configuration: loadConfig's production defaults (lease TTL 10 s, poll 500 ms, hang timeout 5 s, 256 MB
// heaps) except WEAVER_HEARTBEAT_MS=100 and WEAVER_RESTART_INTENSITY=10 (5 kills in ~15 s must not reach
// the give-up limit; it has no effect on timing). The backoff is DEFAULT_BACKOFF (100 ms doubling to 30 s,
// ±20% jitter) with one change: stableAfterMs 1 s instead of 10 s, and each incarnation runs ≥ 1.5 s
// before it is killed, so every sample restarts after the policy's FIRST step, 100 ms ± 20% (80–120 ms),
// as a production actor's first crash after a stable run would, without waiting 10 s per sample.
//
// Where the time goes (2 cores, Node 24.21, embedded Postgres on the same machine, nothing else running;
// runtime at commit 2f2ab15; medians of 5 samples, typical of 9 runs whose medians were 532–601 ms, the
// full `npm run bench:eventlog` gave 543 ms = samples 543, 543, 548, 538, 506):
//
//   phase                                             ms    what runs
//   detection     kill → thread 'exit' seen            7    process.exit(1) in the worker, the exit event in the supervisor's thread
//   bookkeeping   exit → "crashed; restarting" log     3    UPDATE actors (restarting) + append actor.Crashed
//   backoff       the restart policy's sleep          ~100  DEFAULT_BACKOFF's first step, 80–120 ms with the jitter
//   respawn       backoff end → new Worker()           3    reacquire the lease + UPDATE actors (starting) + append actor.Restarted
//   thread start  new Worker() → 'online'             37    a new isolate and Node's bootstrap (30 ms in an idle process)
//   worker boot   'online' → actor module evaluated  300    runtime/actor/worker.ts's module graph, health(), start() → import(actor)
//   actor start   module → consumer ready, start()    55    pool (slonik connects), LISTEN connection, offset load
//   first event   start() → first tick handled        32    reader pool connects (lazily, on the first read), read, BEGIN, handler
//                                                           (12–19 ms before 00515e4 added the reader pool)
//   total                                            ~540   and ~55 ms more until the backlog of ~100 ticks is handled ("caught up")
//
// Worker boot was over half of it. Measured apart (a worker importing one module, 5 runs): worker.ts's
// imports took 243 ms, slonik alone 162 ms (zod via @slonik/sql-tag ~70, @opentelemetry/api ~20), the
// log (pino + pino-pretty) 35, protocol (valibot) 29. Since then the supervisor sets NODE_COMPILE_CACHE
// (imports 131 ms) and the reader connection opens while the offset loads: at commit 2362f82 the same
// bench gave a median of 435 ms = detection 7 + bookkeeping 3 + backoff 110 + respawn 3 + thread start 35
// + worker boot 191 + actor start 59 + first event 26. With both cores busy (another benchmark running)
// worker boot took 500–1,100 ms: the 1 s target holds only on an otherwise idle machine.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { BroadcastChannel, type Worker } from 'node:worker_threads';
import pino from 'pino';
import * as v from 'valibot';
import { makeEvent } from '../../protocol/index.ts';
import { loadConfig } from '../../runtime/config.ts';
import { sql } from '../../runtime/db/pool.ts';
import { createPostgresEventLog, type PostgresEventLog } from '../../runtime/eventlog/postgres/index.ts';
import { startSupervisor, type Supervisor } from '../../runtime/supervisor/index.ts';
import { BenchTick, CREATE_RECOVERY_TABLE, nowMs, RECOVERY_CHANNEL, TICKER_KIND, TICKER_URL, type RecoveryMark } from './recovery-events.ts';

const SAMPLES = 5;
const TICK_MS = 5;
/** Each incarnation runs this long (after its first handled tick) before it is killed: > stableAfterMs. */
const RUN_BEFORE_KILL_MS = 1500;
const STABLE_AFTER_MS = 1000;
/** A tick handled within this of being sent (DESIGN §10's p99 target) means the backlog is gone. */
const CAUGHT_UP_LATENCY_MS = 25;
const ACTOR_ID = `${TICKER_KIND}:recovery`;

const PHASES = ['detection', 'bookkeeping', 'backoff', 'respawn', 'thread start', 'worker boot', 'actor start', 'first event'] as const;
type Phase = (typeof PHASES)[number];

interface ThreadTimes {
  readonly spawn: number;
  online?: number;
  exit?: number;
}

interface LogLine {
  readonly t: number;
  readonly level: number;
  readonly msg: string;
  readonly backoffMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function measureRecovery(url: string): Promise<number> {
  const json = process.argv.includes('--json');
  const say = (line: string) => !json && console.error(line);

  // Actor workers log through createLogger to stdout at WEAVER_LOG_LEVEL (default info), and a worker takes a
  // copy of process.env when it is created: keep their lines out of the bench's output (and its --json).
  const savedLevel = process.env.WEAVER_LOG_LEVEL;
  process.env.WEAVER_LOG_LEVEL ??= 'error';

  // Every Worker created from here on is one of the supervisor's actor workers (the producer is this thread).
  const threads = new Map<number, ThreadTimes>();
  const onWorker = (message: unknown) => {
    const worker = (message as { worker: Worker }).worker;
    const times: ThreadTimes = { spawn: nowMs() };
    threads.set(worker.threadId, times);
    worker.once('online', () => (times.online = nowMs()));
    worker.once('exit', () => (times.exit = nowMs()));
  };
  subscribe('worker_threads', onWorker);

  const marks: RecoveryMark[] = [];
  const channel = new BroadcastChannel(RECOVERY_CHANNEL);
  channel.onmessage = (e) => void marks.push((e as { data: RecoveryMark }).data);

  // The supervisor's log, kept with the time each line was written (pino writes synchronously to a plain
  // object stream); errors still reach stderr.
  const logLines: LogLine[] = [];
  const log = pino({ level: 'info' }, {
    write(line: string) {
      const entry: LogLine = { ...(JSON.parse(line) as { level: number; msg: string; backoffMs?: number }), t: nowMs() };
      logLines.push(entry);
      if (entry.level >= 50 && !json) console.error(`  supervisor: ${line.trim()}`);
    },
  });

  let eventLog: PostgresEventLog | null = null;
  let sup: Supervisor | null = null;
  let producing = false;
  let producer: Promise<void> = Promise.resolve();
  let producerError: unknown = null;
  try {
    eventLog = await createPostgresEventLog({ url, poolSize: 3 });
    const pool = eventLog.pool;
    await pool.query(CREATE_RECOVERY_TABLE);

    const config = loadConfig({ WEAVER_HEARTBEAT_MS: '100', WEAVER_RESTART_INTENSITY: '10' });
    sup = await startSupervisor({
      config,
      databaseUrl: url,
      log,
      kinds: { [TICKER_KIND]: TICKER_URL },
      tuning: { backoff: { stableAfterMs: STABLE_AFTER_MS } },
    });

    // The steady stream: one tick every 5 ms on an absolute schedule (a slow append is caught up, not drifted).
    let killFor: number | null = null;
    producing = true;
    const publisher = eventLog;
    producer = (async () => {
      let due = nowMs();
      for (let seq = 0; producing; seq++) {
        const kill = killFor;
        killFor = null;
        const t = nowMs();
        await publisher.publish([makeEvent(BenchTick, kill === null ? { seq, t } : { seq, t, kill }, 'bench')]);
        due += TICK_MS;
        const wait = due - nowMs();
        if (wait > 0) await sleep(wait);
        else due = nowMs();
      }
    })().catch((error: unknown) => void (producerError = error));

    async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | null | undefined> | T | null | undefined): Promise<T> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        if (producerError) throw new Error(`recovery bench: the producer failed: ${String(producerError)}`);
        const value = await check();
        if (value !== null && value !== undefined) return value;
        if (performance.now() > deadline) {
          const status = await sup!.status().catch(() => []);
          throw new Error(`recovery bench: timed out after ${timeoutMs} ms waiting for ${what}; actors: ${JSON.stringify(status.map((s) => [s.id, s.state, s.restarts, s.lastError]))}`);
        }
        await sleep(10);
      }
    }
    const firstHandled = (incarnation: number) =>
      pool.oneFirst(sql.type(v.object({ first: v.nullable(v.number()) }))`
        SELECT min(handled_at) AS first FROM bench_recovery_handled WHERE incarnation = ${incarnation}`);
    const caughtUpAt = (incarnation: number) =>
      pool.oneFirst(sql.type(v.object({ at: v.nullable(v.number()) }))`
        SELECT min(handled_at) AS at FROM bench_recovery_handled
        WHERE incarnation = ${incarnation} AND handled_at - sent_at < ${CAUGHT_UP_LATENCY_MS}`);
    const markOf = <W extends RecoveryMark['what']>(what: W, match: (m: Extract<RecoveryMark, { what: W }>) => boolean) =>
      marks.find((m): m is Extract<RecoveryMark, { what: W }> => m.what === what && match(m as Extract<RecoveryMark, { what: W }>));

    await sup.ensureActors([{ id: ACTOR_ID, kind: TICKER_KIND, config: {} }]);
    let since = await until('the ticker to handle its first tick', 30_000, () => firstHandled(0));

    const samples: number[] = [];
    const phases: Record<Phase, number>[] = [];
    for (let n = 0; n < SAMPLES; n++) {
      await sleep(Math.max(0, since + RUN_BEFORE_KILL_MS - nowMs()));
      killFor = n;
      const kill = await until(`incarnation ${n} to take the kill tick`, 10_000, () => markOf('kill', (m) => m.incarnation === n));
      const first = await until(`incarnation ${n + 1} to handle a tick`, 30_000, () => firstHandled(n + 1));
      const started = await until(`incarnation ${n + 1}'s start()`, 5_000, () => markOf('started', (m) => m.incarnation === n + 1));
      const sample = first - kill.t;
      samples.push(sample);
      since = first;
      // Not part of the figure: when the new incarnation is back to steady-state latency (the backlog of
      // ticks sent while it was down handled), for the report.
      const caughtUp = await until(`incarnation ${n + 1} to catch up`, 5_000, () => caughtUpAt(n + 1)).catch(() => Number.NaN);

      const dead = threads.get(kill.threadId);
      const born = threads.get(started.threadId);
      const loaded = markOf('loaded', (m) => m.threadId === started.threadId);
      const crashLog = logLines.find((l) => l.msg === 'actor crashed; restarting' && l.t >= kill.t);
      if (!dead?.exit || !born?.online || !loaded || !crashLog || crashLog.backoffMs === undefined) {
        say(`  recovery sample ${n + 1}/${SAMPLES}: ${sample.toFixed(0)} ms (no breakdown: a mark is missing); caught up after ${(caughtUp - kill.t).toFixed(0)} ms`);
        continue;
      }
      const p: Record<Phase, number> = {
        detection: dead.exit - kill.t,
        bookkeeping: crashLog.t - dead.exit,
        backoff: crashLog.backoffMs,
        respawn: born.spawn - crashLog.t - crashLog.backoffMs,
        'thread start': born.online - born.spawn,
        'worker boot': loaded.t - born.online,
        'actor start': started.t - loaded.t,
        'first event': first - started.t,
      };
      phases.push(p);
      say(`  recovery sample ${n + 1}/${SAMPLES}: ${sample.toFixed(0)} ms = ${PHASES.map((k) => `${k} ${p[k].toFixed(0)}`).join(' + ')}; caught up after ${(caughtUp - kill.t).toFixed(0)} ms`);
    }
    if (phases.length > 0) {
      say(`  recovery medians: ${median(samples).toFixed(0)} ms; ${PHASES.map((k) => `${k} ${median(phases.map((p) => p[k])).toFixed(1)}`).join(', ')}`);
    }
    return Math.round(median(samples));
  } finally {
    producing = false;
    await producer;
    await sup?.stop().catch((error: unknown) => console.error('recovery bench: stopping the supervisor failed', error));
    await eventLog?.close().catch(() => {});
    unsubscribe('worker_threads', onWorker);
    channel.close();
    if (savedLevel === undefined) delete process.env.WEAVER_LOG_LEVEL;
    else process.env.WEAVER_LOG_LEVEL = savedLevel;
  }
}
