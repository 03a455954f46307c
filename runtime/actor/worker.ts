// The worker-thread entry of one actor, and the only file that touches parentPort. It exposes start, stop,
// health and stats to the supervisor through comlink; the actor's business traffic goes through its own
// Postgres event log (its own pool and LISTEN connection: pg connections cannot cross threads).
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';
import { formatCursor, type LoggedEvent } from '../../protocol/index.ts';
import { createPostgresEventLog, isInfrastructureError } from '../eventlog/postgres/index.ts';
import type { Consumer, EventHandler, EventLog, HandlerContext } from '../eventlog/types.ts';
import { createLogger, type Logger } from '../log.ts';
import type { ActorContext, ActorDefinition } from './define.ts';
import { loadActorModule, parseActorConfig } from './load.ts';
import { DATABASE_UNAVAILABLE, EXIT, toWireError, type ExitNotice, type Health, type Result, type StartInfo, type StartParams, type StopReason, type WorkerApi, type WorkerStats } from './protocol.ts';

if (!parentPort) throw new Error('runtime/actor/worker.ts is a worker-thread entry; the supervisor starts it with new Worker(...)');
const control = parentPort;
/** Side channel for the exit notice; comlink owns `control` and would try to answer any other message on it. */
const notices = (workerData as { notices: MessagePort }).notices;

interface Running {
  readonly definition: ActorDefinition;
  readonly ctx: ActorContext;
  readonly eventLog: EventLog;
  readonly consumer: Consumer | null;
  readonly abort: AbortController;
  readonly log: Logger;
}

let running: Running | null = null;
let stopping = false;
let stopped: Promise<Result<null>> | null = null;

/** Leave now with `code`, telling the supervisor why first. Open transactions die with their connections and roll back. */
function exitNow(code: number, error: unknown): never {
  const notice: ExitNotice = { type: 'exiting', code, error: error === null ? null : toWireError(error) };
  notices.postMessage(notice);
  process.exit(code);
}

function wrapHandler(definition: ActorDefinition, ctx: ActorContext): EventHandler<unknown> {
  const sub = definition.subscribe!;
  return (event: LoggedEvent, hctx: HandlerContext<unknown>) => sub.handle(event, hctx, ctx);
}

function watchConsumer(consumer: Consumer): void {
  consumer.done.then(
    (exit) => {
      if (exit.reason === 'superseded') exitNow(EXIT.superseded, new Error(`superseded (${exit.detail}): another instance owns this actor now`));
      if (!stopping) exitNow(EXIT.handlerFailed, new Error('the consumer stopped without being asked to'));
    },
    (error: unknown) => exitNow(EXIT.handlerFailed, error),
  );
}

async function start(params: StartParams): Promise<Result<StartInfo>> {
  try {
    if (running) throw new Error(`actor ${params.actorId} is already started in this worker`);
    const definition = await loadActorModule(params.moduleUrl, params.kind);
    const config = parseActorConfig(definition, params.config);
    const log = createLogger('actor', { actor: params.actorId, incarnation: params.incarnation });
    const fencing = { actorId: params.actorId, holder: params.supervisorId, token: BigInt(params.fencing) };
    const eventLog = await createPostgresEventLog({ url: params.databaseUrl, poolSize: 2, log, fencing, asyncCommit: definition.subscribe?.asyncCommit === true });
    const abort = new AbortController();
    const ctx: ActorContext = {
      id: params.actorId,
      kind: params.kind,
      config,
      incarnation: params.incarnation,
      log,
      publish: (events) => eventLog.publish(events),
      transaction: (fn) => eventLog.transaction(fn),
      signal: abort.signal,
      databaseUrl: params.databaseUrl,
    };
    let consumer: Consumer | null = null;
    const sub = definition.subscribe;
    if (sub) {
      const startAfter = sub.startAfter?.(config);
      consumer = eventLog.subscribe<unknown>(
        {
          name: params.actorId,
          types: sub.types,
          initialState: sub.initialState,
          ...(sub.batchSize !== undefined ? { batchSize: sub.batchSize } : {}),
          ...(sub.maxAttempts !== undefined ? { maxAttempts: sub.maxAttempts } : {}),
          ...(startAfter ? { startAfter } : {}),
          ...(sub.lingerMs !== undefined ? { lingerMs: sub.lingerMs } : {}),
          // A throw rolls the batch back and (by default) crashes the actor: it restarts from its committed
          // offset, and after maxAttempts the event goes to dead_letters (counted across crashes).
          onHandlerError: sub.onHandlerError === 'retry' ? 'retry' : 'crash',
          pollIntervalMs: params.pollIntervalMs,
          fencing,
          producer: params.actorId,
          onEvent: (notice) => {
            if (notice.type === 'dead_letter' || notice.type === 'retry' || notice.type === 'db_error') log.warn({ notice }, `consumer ${notice.type}`);
            else if (notice.type === 'batch') log.trace({ count: notice.count, ms: Math.round(notice.ms * 10) / 10 }, 'batch');
          },
        },
        wrapHandler(definition, ctx),
      );
      watchConsumer(consumer);
      await consumer.ready;
    }
    running = { definition, ctx, eventLog, consumer, abort, log };
    await definition.start?.(ctx);
    log.info({ kind: params.kind, fencing: params.fencing }, 'actor started');
    return { ok: true, value: { subscribed: consumer !== null } };
  } catch (error) {
    // Tagged so the supervisor backs off without counting it towards `failed`: an outage is not the actor's fault.
    const wire = toWireError(error);
    return { ok: false, error: isInfrastructureError(error) ? { ...wire, code: DATABASE_UNAVAILABLE } : wire };
  }
}

async function stop(reason: StopReason): Promise<Result<null>> {
  if (!running) return { ok: true, value: null };
  // A second stop (a Kill or a shutdown during a restart's stop) waits for the first: answering at once let the
  // supervisor terminate the thread in the middle of it.
  return (stopped ??= stopRunning(running, reason));
}

async function stopRunning(r: Running, reason: StopReason): Promise<Result<null>> {
  stopping = true;
  const { definition, ctx, eventLog, consumer, abort, log } = r;
  try {
    abort.abort(new Error(`actor stopping: ${reason}`));
    // The consumer finishes the batch in hand (commits or rolls back), never half of one.
    if (consumer) await consumer.stop();
    await definition.stop?.(ctx);
    await eventLog.close();
    log.info({ reason }, 'actor stopped');
    return { ok: true, value: null };
  } catch (error) {
    return { ok: false, error: toWireError(error) };
  }
}

/** Answers only while the event loop turns: a worker stuck in a loop never does, and the supervisor's heartbeat sees that. */
async function health(): Promise<Health> {
  const heap = getHeapStatistics();
  const s = running?.consumer?.stats();
  return {
    ok: running !== null && !stopping,
    handled: s?.handled ?? 0,
    lastBatchAt: s?.lastBatchAt ?? null,
    memory: { heapUsedMb: Math.round(heap.used_heap_size / 2 ** 20), heapTotalMb: Math.round(heap.total_heap_size / 2 ** 20) },
  };
}

async function stats(): Promise<WorkerStats> {
  const s = running?.consumer?.stats();
  return {
    handled: s?.handled ?? 0,
    batches: s?.batches ?? 0,
    deadLetters: s?.deadLetters ?? 0,
    cursor: s ? formatCursor(s.cursor) : null,
    lastBatchAt: s?.lastBatchAt ?? null,
  };
}

const api: WorkerApi = { start, stop, health, stats };
Comlink.expose(api, nodeEndpoint(control));
