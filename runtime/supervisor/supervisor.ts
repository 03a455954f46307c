// The process-level supervisor: registers itself, reconciles the desired actors (`actors`) with what it
// runs, holds and renews a lease per actor it runs, obeys actor.* commands, and shuts down gracefully.
// It is not an actor: it owns worker threads and leases, never business data.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ACTOR_KINDS } from '../../actors/index.ts';
import { toErrorModel, WeaverError, type ErrorModel } from '../../protocol/index.ts';
import { loadActorModule, parseActorConfig } from '../actor/load.ts';
import type { Config } from '../config.ts';
import { createPool } from '../db/pool.ts';
import { createPostgresEventLog } from '../eventlog/postgres/index.ts';
import { WakeSignal } from '../eventlog/wake-signal.ts';
import type { Logger } from '../log.ts';
import { startControl } from './control.ts';
import { acquireLeases, releaseLeases, renewLeases } from './leases.ts';
import { insertActors, listActors, recordObserved, type ActorRow, type ActorSpec } from './registry.ts';
import { DEFAULT_BACKOFF, type BackoffOptions, type RestartPolicyOptions } from './restart-policy.ts';
import { ActorRunner, type RunnerDeps, type RunnerTiming } from './runner.ts';
import { buildStatus, type ActorStatus } from './status.ts';
import { beatSupervisor, countLiveSupervisors, markSupervisorStopped, registerSupervisor } from './supervisors.ts';

export interface SupervisorOptions {
  readonly config: Config;
  readonly databaseUrl: string;
  readonly log: Logger;
  /** Extra kinds (kind → module URL) beside the built-in ones of actors/index.ts; tests register theirs here. */
  readonly kinds?: Readonly<Record<string, string>>;
  /** Tuning that is not in the environment (tests make these short). */
  readonly tuning?: Partial<RunnerTiming & { reconcileMs: number; backoff: Partial<BackoffOptions> }>;
}

export interface Supervisor {
  readonly id: string;
  /** Desired actors that do not exist yet are added (existing ones are left as they are); used by `weaver start`. */
  ensureActors(specs: readonly ActorSpec[]): Promise<void>;
  status(): Promise<ActorStatus[]>;
  /** Terminate the worker of a running actor abruptly (a crash: it is restarted from its committed offset). False when it is not running here. */
  crashWorker(actorId: string): Promise<boolean>;
  /** Stop every worker (each finishes or abandons its batch; terminated after the grace), release leases, deregister. */
  stop(): Promise<void>;
}

export async function startSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  const { config, databaseUrl } = options;
  // Worker threads inherit process.env when spawned. With Node's compile cache a worker's imports took
  // 131 ms instead of 243 ms here (slonik alone is 162 ms cold), so a restart is back ~100 ms sooner.
  process.env.NODE_COMPILE_CACHE ??= join(config.home, 'cache', 'compile');
  const id = config.supervisorId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = options.log.child({ supervisor: id });
  const kinds = new Map(Object.entries({ ...ACTOR_KINDS, ...options.kinds }));
  const ttl = config.leaseTtlMs;
  const reconcileMs = options.tuning?.reconcileMs ?? 250;
  const policy: RestartPolicyOptions = { ...DEFAULT_BACKOFF, ...options.tuning?.backoff, intensity: config.restartIntensity, periodMs: config.restartPeriodMs };

  const pool = await createPool(databaseUrl, { maximumPoolSize: 4, applicationName: `weaver supervisor ${id}` });
  const eventLog = await createPostgresEventLog({ url: databaseUrl, pool, log });
  await registerSupervisor(pool, id);

  const runners = new Map<string, ActorRunner>();
  const wake = new WakeSignal();
  const renewWake = new WakeSignal();
  let stopping = false;
  let stopped: Promise<void> | null = null;

  const runnerDeps = (moduleUrl: string): RunnerDeps => ({
    supervisorId: id,
    databaseUrl,
    moduleUrl,
    maxOldGenerationSizeMb: config.workerMaxOldMb,
    timing: {
      pollIntervalMs: config.pollIntervalMs,
      heartbeatMs: config.heartbeatMs,
      hangTimeoutMs: config.hangTimeoutMs,
      startTimeoutMs: options.tuning?.startTimeoutMs ?? 30_000,
      stopGraceMs: options.tuning?.stopGraceMs ?? 5_000,
    },
    policy,
    log,
    reacquire: async (actorId) => (stopping ? null : ((await acquireLeases(pool, [actorId], id, ttl)).get(actorId) ?? null)),
    record: (actorId, generation, change) => recordObserved(pool, actorId, id, generation, change),
    publish: (event) => eventLog.publish([event]),
  });

  const definitions = new Map<string, Promise<Awaited<ReturnType<typeof loadActorModule>>>>();
  async function validate(kind: string, config: unknown): Promise<ErrorModel | null> {
    const url = kinds.get(kind);
    if (!url) return { code: 'unknown_kind', message: `no actor kind "${kind}"; known kinds: ${[...kinds.keys()].join(', ')}`, correlation_id: null };
    try {
      if (!definitions.has(kind)) definitions.set(kind, loadActorModule(url, kind));
      parseActorConfig(await definitions.get(kind)!, config);
      return null;
    } catch (error) {
      return toErrorModel(error, null, 'invalid_config');
    }
  }

  function startRunner(row: ActorRow, fencing: bigint): void {
    const target = {
      id: row.id, kind: row.kind, config: row.config, generation: row.generation, restarts: row.restarts,
      // A fresh spawn or restart still waits for its outcome; a running actor taken over does not.
      causationId: row.state === 'pending' ? row.last_command_id : null,
    };
    const runner = new ActorRunner(target, fencing, runnerDeps(kinds.get(row.kind)!));
    runners.set(row.id, runner);
    void runner.done.then(
      async (end) => {
        // Released before the runner is forgotten: until then the reconcile loop cannot start a new runner of
        // this actor, whose freshly taken lease this release would otherwise expire.
        if (end !== 'lease_lost') await releaseLeases(pool, [row.id], id).catch((error: unknown) => log.warn({ err: error, actor: row.id }, 'could not release lease'));
        runners.delete(row.id);
        wake.wake();
      },
      (error: unknown) => {
        // A bug in the runner, not in the actor: drop it; its lease expires and the reconcile loop starts it afresh.
        runners.delete(row.id);
        log.error({ err: error, actor: row.id }, 'actor runner failed');
      },
    );
  }

  /** Bring what runs here in line with `actors`: stop, restart, or take leases for actors nobody runs. */
  async function reconcile(): Promise<void> {
    const rows = await listActors(pool);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [actorId, runner] of runners) {
      const row = byId.get(actorId);
      if (!row || row.desired === 'stopped') void runner.stop('command', row?.last_command_id ?? null);
      else if (row.generation !== runner.generation) runner.restart(row.generation, row.last_command_id);
    }
    const active = rows.filter((r) => r.desired === 'running' && r.state !== 'failed' && kinds.has(r.kind));
    const wanted = active.filter((r) => !runners.has(r.id)).map((r) => r.id);
    if (wanted.length === 0 || stopping) return;
    // Fair share, so two supervisors split the actors; a dead one stops counting once its heartbeat is a TTL old.
    const live = Math.max(1, await countLiveSupervisors(pool, ttl));
    const room = Math.ceil(active.length / live) - runners.size;
    const acquired = await acquireLeases(pool, wanted, id, ttl, room);
    for (const [actorId, fencing] of acquired) {
      if (stopping) await releaseLeases(pool, [actorId], id);
      else startRunner(byId.get(actorId)!, fencing);
    }
  }

  let lastRenewedAt = performance.now();
  /** Renew every lease we hold; stop at once the workers whose lease is gone (their commits are fenced off anyway). */
  async function renew(): Promise<void> {
    const ids = [...runners.keys()];
    const sentAt = performance.now();
    try {
      const kept = await renewLeases(pool, ids, id, ttl);
      lastRenewedAt = sentAt;
      for (const actorId of ids) {
        if (kept.has(actorId)) continue;
        log.warn({ actor: actorId }, 'lease taken over by another supervisor; stopping the worker');
        void runners.get(actorId)?.stop('lease_lost');
      }
      await beatSupervisor(pool, id);
    } catch (error) {
      log.warn({ err: error, silentMs: performance.now() - lastRenewedAt }, 'lease renewal failed');
      stopAllIfSilent();
    }
  }

  /** A TTL without a successful renewal: our leases may be another's by now, so every worker stops at once. */
  function stopAllIfSilent(): void {
    const silentMs = performance.now() - lastRenewedAt;
    if (silentMs < ttl || runners.size === 0) return;
    log.warn({ silentMs }, 'no lease renewal for a TTL; stopping every worker');
    for (const r of runners.values()) void r.stop('lease_lost');
  }

  const control = startControl({ eventLog, supervisorId: id, log, pollIntervalMs: config.pollIntervalMs, validate, onCommitted: () => wake.wake() });
  const reconciling = (async () => {
    while (!stopping) {
      await reconcile().catch((error: unknown) => log.warn({ err: error }, 'reconcile failed; trying again'));
      await wake.wait(reconcileMs);
    }
  })();
  // Renewal goes on during shutdown, while workers finish their batches, until every worker is gone.
  let renewing = true;
  const renewal = (async () => {
    let inFlight: Promise<void> | null = null;
    while (renewing) {
      // Every ttl/3: a lease survives two lost renewals in a row before it can expire.
      await renewWake.wait(ttl / 3);
      if (!renewing) break;
      // The silence is judged here too, not only when a renewal fails: one that hangs (a half-open connection,
      // a row lock, a full pool) would otherwise leave workers running long after their leases expired.
      stopAllIfSilent();
      inFlight ??= renew().finally(() => (inFlight = null));
    }
    await inFlight;
  })();
  log.info({ kinds: [...kinds.keys()], leaseTtlMs: ttl }, 'supervisor started');

  async function shutdown(): Promise<void> {
    stopping = true;
    wake.wake();
    await control.stop();
    await reconciling; // from here on no runner is added
    const held = [...runners.keys()];
    await Promise.all([...runners.values()].map((r) => r.stop('shutdown')));
    renewing = false;
    renewWake.wake();
    await renewal;
    await releaseLeases(pool, held, id).catch((error: unknown) => log.warn({ err: error }, 'could not release leases'));
    await markSupervisorStopped(pool, id).catch(() => {});
    await eventLog.close();
    await pool.end();
    log.info('supervisor stopped');
  }

  return {
    id,
    async ensureActors(specs) {
      for (const s of specs) {
        const problem = await validate(s.kind, s.config);
        if (problem) throw new WeaverError(problem.code, `cannot add actor ${s.id}: ${problem.message}`, problem.details);
      }
      const added = await insertActors(pool, specs);
      if (added.length > 0) log.info({ actors: added }, 'desired actors added');
      wake.wake();
    },
    status: () => buildStatus(pool, runners),
    crashWorker: async (actorId) => (await runners.get(actorId)?.crash()) ?? false,
    stop() {
      // Every caller (a second Ctrl-C included) waits for the same shutdown.
      return (stopped ??= shutdown());
    },
  };
}
