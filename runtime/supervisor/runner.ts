// One actor's life on this supervisor while it holds the actor's lease: spawn a worker, start it, watch
// it (exit, heartbeat), and after a crash restart it with backoff or give up (`failed`). Start-up and
// crash recovery share one path: every incarnation is a fresh worker with a fresh fencing token that
// resumes from the consumer's committed offset.
import type { Envelope } from '../../protocol/index.ts';
import { DATABASE_UNAVAILABLE, toWireError, type StopReason, type WorkerStats } from '../actor/protocol.ts';
import type { Logger } from '../log.ts';
import { runIncarnation, type Outcome, type RunnerTiming } from './incarnation.ts';
import { crashModel, lifecycleEvent, type Lifecycle } from './lifecycle.ts';
import type { ObservedChange } from './registry.ts';
import { decideRestart, NO_RESTARTS, type RestartHistory, type RestartPolicyOptions } from './restart-policy.ts';
import { spawnWorker, type WorkerHandle } from './worker-handle.ts';

export type { RunnerTiming } from './incarnation.ts';

export interface RunnerDeps {
  readonly supervisorId: string;
  readonly databaseUrl: string;
  readonly moduleUrl: string;
  readonly maxOldGenerationSizeMb: number;
  readonly timing: RunnerTiming;
  readonly policy: RestartPolicyOptions;
  readonly log: Logger;
  /** Bump our lease for a new incarnation; null when it is no longer ours. */
  reacquire(actorId: string): Promise<bigint | null>;
  /** Observed state of `generation`; not written once the actor's row has moved on to a newer one. */
  record(actorId: string, generation: number, change: ObservedChange): Promise<void>;
  publish(event: Envelope): Promise<void>;
}

export interface RunnerTarget {
  readonly id: string;
  readonly kind: string;
  readonly config: unknown;
  readonly generation: number;
  readonly restarts: number;
  /** The command whose outcome is still to be reported (null when taking over a running actor). */
  readonly causationId: string | null;
}

export type RunnerEnd = 'stopped' | 'shutdown' | 'failed' | 'lease_lost';

const sleepUnlessWoken = (ms: number, wake: (fn: () => void) => void) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake(() => (clearTimeout(t), resolve()));
  });

export class ActorRunner {
  readonly id: string;
  readonly kind: string;
  readonly done: Promise<RunnerEnd>;
  generation: number;
  fencing: bigint;
  phase: 'starting' | 'running' | 'backoff' | 'stopping' = 'starting';
  #deps: RunnerDeps;
  #config: unknown;
  #restarts: number;
  #causationId: string | null;
  #history: RestartHistory = NO_RESTARTS;
  #handle: WorkerHandle | null = null;
  #expectedExit = false;
  #stopRequest: { reason: Exclude<RunnerEnd, 'failed'>; commandId: string | null } | null = null;
  #restartRequest: { generation: number; commandId: string | null } | null = null;
  #wakeBackoff: (() => void) | null = null;

  constructor(target: RunnerTarget, fencing: bigint, deps: RunnerDeps) {
    this.id = target.id;
    this.kind = target.kind;
    this.generation = target.generation;
    this.fencing = fencing;
    this.#config = target.config;
    this.#restarts = target.restarts;
    this.#causationId = target.causationId;
    this.#deps = deps;
    this.done = this.#loop();
  }

  /** Stop for good (command, shutdown) or at once without a word to the worker (lease lost). */
  async stop(reason: 'command' | 'shutdown' | 'lease_lost', commandId: string | null = null): Promise<RunnerEnd> {
    if (!this.#stopRequest) {
      this.#stopRequest = { reason: reason === 'command' ? 'stopped' : reason, commandId };
      this.phase = 'stopping';
      this.#wakeBackoff?.();
      await this.#stopWorker(reason);
    }
    return this.done;
  }

  /** actor.Restart: a new generation. The worker stops gracefully and a new one starts with a clean restart history. */
  restart(generation: number, commandId: string | null): void {
    if (this.#stopRequest || this.#restartRequest || generation === this.generation) return;
    this.#restartRequest = { generation, commandId };
    this.#wakeBackoff?.();
    void this.#stopWorker('restart');
  }

  /**
   * End the worker abruptly, as a fatal error or the OOM killer would: no stop, no finished batch. It
   * counts as a crash (restart with backoff, towards the intensity limit). For tests and operators.
   */
  async crash(): Promise<boolean> {
    const h = this.#handle;
    if (!h?.alive || this.phase !== 'running' || this.#expectedExit) return false;
    await h.terminate();
    return true;
  }

  async stats(): Promise<WorkerStats | null> {
    const h = this.#handle;
    if (!h?.alive || this.phase !== 'running') return null;
    return Promise.race([h.api.stats(), new Promise<null>((r) => setTimeout(r, 500, null))]).catch(() => null);
  }

  async #stopWorker(reason: StopReason): Promise<void> {
    const h = this.#handle;
    if (!h?.alive) return;
    this.#expectedExit = true;
    if (reason !== 'lease_lost') {
      // The worker finishes or abandons its batch; a worker that does not answer within the grace is ended.
      const grace = new Promise((r) => setTimeout(r, this.#deps.timing.stopGraceMs).unref());
      await Promise.race([h.api.stop(reason).catch(() => {}), grace]);
    }
    await h.terminate();
  }

  async #loop(): Promise<RunnerEnd> {
    let restartedAfterMs: number | null = null;
    for (;;) {
      const outcome = await this.#runIncarnation(restartedAfterMs);
      restartedAfterMs = null;
      if (this.#stopRequest) break;
      if (this.#restartRequest) {
        ({ generation: this.generation, commandId: this.#causationId } = this.#restartRequest);
        this.#restartRequest = null;
        this.#history = NO_RESTARTS;
        restartedAfterMs = 0;
      } else if (outcome.type === 'superseded') {
        // Our own lease expired under us (a stall longer than the TTL) but nobody took it: not a crash.
        // The pause keeps a fencing fight (say, an unfenced consumer of the same name) from spinning.
        this.#deps.log.warn({ actor: this.id }, 'worker was fenced off; taking the lease again');
        await this.#backoff(this.#deps.policy.initialBackoffMs);
        if (this.#stopRequest) break;
      } else {
        const crash = outcome.type === 'crashed' ? outcome : { error: crashModel('worker_exited', null, 'the worker exited with code 0 without being asked to'), ranForMs: 0 };
        const transient = crash.error.code === DATABASE_UNAVAILABLE;
        const decision = decideRestart(this.#deps.policy, this.#history, { at: performance.now(), ranForMs: crash.ranForMs, transient });
        this.#history = decision.history;
        if (decision.action === 'fail') {
          const error = { ...crash.error, details: { ...(crash.error.details as object), gave_up: decision.reason } };
          await this.#record({ state: 'failed', lastError: error });
          await this.#emit({ type: 'crashed', error: crash.error, restarts: this.#restarts });
          await this.#emit({ type: 'failed', error, restarts: this.#restarts });
          this.#deps.log.error({ actor: this.id, error: crash.error }, `actor failed: ${decision.reason}`);
          return 'failed';
        }
        this.#restarts++;
        this.phase = 'backoff';
        await this.#record({ state: 'restarting', restarts: this.#restarts, lastError: crash.error });
        await this.#emit({ type: 'crashed', error: crash.error, restarts: this.#restarts });
        this.#deps.log.warn({ actor: this.id, error: crash.error, backoffMs: decision.backoffMs }, 'actor crashed; restarting');
        await this.#backoff(decision.backoffMs);
        restartedAfterMs = decision.backoffMs;
        if (this.#stopRequest) break;
      }
      const token = await this.#deps.reacquire(this.id).catch((error: unknown) => {
        // Treated as lost: we end here without releasing it, and the reconcile loop takes it again when it can.
        this.#deps.log.warn({ actor: this.id, err: error }, 'could not renew the lease for a restart');
        return null;
      });
      if (token === null) {
        this.#stopRequest ??= { reason: 'lease_lost', commandId: null };
        break;
      }
      this.fencing = token;
    }
    const { reason, commandId } = this.#stopRequest!;
    if (commandId) this.#causationId = commandId;
    if (reason !== 'lease_lost') await this.#record({ state: 'stopped' });
    await this.#emit({ type: 'stopped', reason: reason === 'stopped' ? 'command' : reason });
    return reason;
  }

  /** The pause before the next incarnation; a stop or restart ends it, including one that came before it began. */
  async #backoff(ms: number): Promise<void> {
    if (this.#stopRequest || this.#restartRequest) return;
    await sleepUnlessWoken(ms, (fn) => (this.#wakeBackoff = fn));
    this.#wakeBackoff = null;
  }

  async #runIncarnation(restartedAfterMs: number | null): Promise<Outcome> {
    this.phase = 'starting';
    this.#expectedExit = false;
    await this.#record({ state: 'starting' });
    // Restarted says a new incarnation was spawned; Started follows only if its start() succeeds.
    if (restartedAfterMs !== null) await this.#emit({ type: 'restarted', restarts: this.#restarts, backoffMs: restartedAfterMs });
    // A stop or restart that came while we were writing: no worker is running yet, so nobody else would see it.
    // Checked after the last await before the spawn: a request in between would otherwise be lost for good.
    if (this.#stopRequest || this.#restartRequest) return { type: 'stopped' };
    const { timing, supervisorId, databaseUrl, moduleUrl } = this.#deps;
    try {
      this.#handle = spawnWorker({ name: `actor ${this.id}`, maxOldGenerationSizeMb: this.#deps.maxOldGenerationSizeMb });
    } catch (error) {
      return { type: 'crashed', error: crashModel('spawn_failed', toWireError(error), 'could not spawn a worker'), ranForMs: 0 };
    }
    return runIncarnation({
      handle: this.#handle,
      params: {
        actorId: this.id, kind: this.kind, moduleUrl, config: this.#config, incarnation: this.#restarts,
        supervisorId, fencing: this.fencing.toString(), databaseUrl, pollIntervalMs: timing.pollIntervalMs,
      },
      timing,
      expectedExit: () => this.#expectedExit,
      onRunning: async () => {
        this.phase = 'running';
        await this.#record({ state: 'running', restarts: this.#restarts });
        await this.#emit({ type: 'started', incarnation: this.#restarts, fencing: this.fencing });
        this.#causationId = null;
      },
    });
  }

  async #record(change: ObservedChange): Promise<void> {
    await this.#deps.record(this.id, this.generation, change).catch((error: unknown) => this.#deps.log.warn({ actor: this.id, err: error }, `could not record state ${change.state}`));
  }

  async #emit(e: Lifecycle): Promise<void> {
    const event = lifecycleEvent(e, { actorId: this.id, kind: this.kind, supervisorId: this.#deps.supervisorId, causationId: this.#causationId });
    await this.#deps.publish(event).catch((error: unknown) => this.#deps.log.warn({ actor: this.id, err: error }, `could not append actor.${e.type}`));
  }
}
