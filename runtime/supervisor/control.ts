// The control plane: actor.Spawn/Kill/Restart commands read from the log by one consumer name shared by
// every supervisor. The offset compare-and-set lets exactly one of them commit each batch; a loser finds
// itself superseded and subscribes again from the new offset. Each command's effect on `actors` (and any
// actor.CommandRejected / actor.Stopped it causes) commits in the batch's own transaction.
import type { CommonQueryMethods } from 'slonik';
import {
  ActorCommandRejected,
  makeEvent,
  type ActorKill,
  type ActorRestart,
  type ActorSpawn,
  type ErrorModel,
  type LoggedEvent,
  type PayloadOf,
} from '../../protocol/index.ts';
import type { Consumer, EventLog, HandlerContext } from '../eventlog/types.ts';
import type { Logger } from '../log.ts';
import { lifecycleEvent } from './lifecycle.ts';
import { killActor, markStoppedIfUnheld, restartActor, spawnActor } from './registry.ts';

export const CONTROL_CONSUMER = 'supervisor.control';
export const CONTROL_TYPES = ['actor.Spawn', 'actor.Kill', 'actor.Restart'] as const;

export interface ControlDeps {
  readonly eventLog: EventLog;
  readonly supervisorId: string;
  readonly log: Logger;
  readonly pollIntervalMs: number;
  /** Why an actor of `kind` with `config` cannot be spawned (unknown kind, invalid config), or null. */
  validate(kind: string, config: unknown): Promise<ErrorModel | null>;
  /** A batch of commands committed: reconcile now rather than at the next tick. */
  onCommitted(): void;
}

export interface Control {
  stop(): Promise<void>;
}

export function startControl(deps: ControlDeps): Control {
  const producer = `supervisor:${deps.supervisorId}`;
  let consumer: Consumer | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;

  function reject(ctx: HandlerContext<null>, command: LoggedEvent, actorId: string, error: Omit<ErrorModel, 'correlation_id'>): void {
    deps.log.warn({ command: command.type, actor: actorId, error }, 'control command rejected');
    const payload = { command_id: command.id, command_type: command.type, actor_id: actorId, error: { ...error, correlation_id: command.id } };
    ctx.emit(makeEvent(ActorCommandRejected, payload, producer, {}, command));
  }

  async function handle(command: LoggedEvent, ctx: HandlerContext<null>): Promise<void> {
    const db: CommonQueryMethods | null = ctx.db;
    if (!db) throw new Error('the supervisor control plane needs the Postgres event log (ctx.db was null)');
    switch (command.type) {
      case 'actor.Spawn': {
        const p = command.payload as PayloadOf<typeof ActorSpawn>;
        const problem = await deps.validate(p.kind, p.config);
        if (problem) return reject(ctx, command, p.actor_id, problem);
        if (!(await spawnActor(db, { id: p.actor_id, kind: p.kind, config: p.config }, command.id))) {
          return reject(ctx, command, p.actor_id, { code: 'actor_exists', message: `actor ${p.actor_id} already exists and is not stopped; send actor.Restart to restart it, or actor.Kill first` });
        }
        return;
      }
      case 'actor.Kill': {
        const p = command.payload as PayloadOf<typeof ActorKill>;
        if (!(await killActor(db, p.actor_id, command.id))) return reject(ctx, command, p.actor_id, unknownActor(p.actor_id));
        // Nobody holds it (failed, never started): report the outcome now, as no holder will.
        const kind = await markStoppedIfUnheld(db, p.actor_id);
        if (kind !== null) {
          ctx.emit(lifecycleEvent({ type: 'stopped', reason: 'command' }, { actorId: p.actor_id, kind, supervisorId: deps.supervisorId, causationId: command.id }));
        }
        return;
      }
      case 'actor.Restart': {
        const p = command.payload as PayloadOf<typeof ActorRestart>;
        if (!(await restartActor(db, p.actor_id, command.id))) return reject(ctx, command, p.actor_id, unknownActor(p.actor_id));
        return;
      }
      default:
        deps.log.warn({ type: command.type }, 'control consumer got a type it does not handle; skipped');
    }
  }

  function subscribe(): void {
    if (stopped) return;
    const c = deps.eventLog.subscribe<null>(
      {
        name: CONTROL_CONSUMER,
        types: CONTROL_TYPES,
        initialState: () => null,
        batchSize: 50,
        pollIntervalMs: deps.pollIntervalMs,
        commitWhenIdle: false, // shared by every supervisor: commit only with commands (or every 20 pages)
        producer,
        onEvent: (notice) => {
          if (notice.type === 'batch') deps.onCommitted();
          // Superseded is the normal outcome when another supervisor committed the same page first.
          else if (notice.type === 'superseded') deps.log.debug({ notice }, 'control consumer superseded; reading on from the new offset');
          else if (notice.type !== 'connected') deps.log.warn({ notice }, `control consumer ${notice.type}`);
        },
      },
      handle,
    );
    consumer = c;
    c.done.then(
      (exit) => {
        // Another supervisor committed this batch first: read again from the offset it left.
        if (exit.reason === 'superseded' && !stopped) retry = setTimeout(subscribe, 10 + Math.random() * 40);
      },
      (error: unknown) => {
        deps.log.error({ err: error }, 'control consumer died; subscribing again in 1 s');
        if (!stopped) retry = setTimeout(subscribe, 1000);
      },
    );
  }

  subscribe();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      await consumer?.stop().catch(() => {});
    },
  };
}

function unknownActor(actorId: string): Omit<ErrorModel, 'correlation_id'> {
  return { code: 'unknown_actor', message: `no actor ${actorId}; spawn it first (weaver actors spawn)` };
}
