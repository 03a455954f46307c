// The actor API: what an actor module declares and what it is handed. An actor sees only its context
// (id, config, log, the event log's publish/transaction, an abort signal) and its handler context; it
// never touches parentPort, pg connections or the supervisor's timers.
import type * as v from 'valibot';
import type { Cursor, Envelope, LoggedEvent } from '../../protocol/index.ts';
import type { HandlerContext, LogTransaction } from '../eventlog/types.ts';
import type { Logger } from '../log.ts';

export interface ActorContext<C = unknown> {
  readonly id: string;
  readonly kind: string;
  readonly config: C;
  /** 0 on the actor's first run; one more for each restart after a crash. */
  readonly incarnation: number;
  readonly log: Logger;
  /** Append events in a transaction of their own (EventLog.publish). */
  publish(events: readonly Envelope[]): Promise<void>;
  /** Table writes (tx.db, Postgres only) and appended events in one transaction (EventLog.transaction). */
  transaction<T>(fn: (tx: LogTransaction) => Promise<T>): Promise<T>;
  /** Aborted when the actor is being stopped: timers and loops started in start() end on it. */
  readonly signal: AbortSignal;
  /** The database the event log lives on, for an actor that serves reads of its own (the gateway). Null in memory. */
  readonly databaseUrl: string | null;
}

/** A handler gets the batch context (state, emit, db) and, as a third argument, the actor's context. */
export type ActorHandler<S, C> = (event: LoggedEvent, ctx: HandlerContext<S>, actor: ActorContext<C>) => void | Promise<void>;

export interface ActorSubscription<S, C> {
  /** Exact types (`demo.Ping`), namespace wildcards (`demo.*`) or `*`. */
  readonly types: readonly string[];
  readonly initialState: () => S;
  readonly handle: ActorHandler<S, C>;
  /** Events per batch (one transaction each). Default: the event log's (500). */
  readonly batchSize?: number;
  /**
   * What a handler's throw does. 'crash' (default): the batch rolls back and the worker exits, so the
   * supervisor restarts the actor from its committed offset with backoff. 'retry': the event log retries
   * in place. Either way the throws on one event are counted in the database, across crashes, and after
   * `maxAttempts` (default 3) the event goes to dead_letters with the reason and the actor goes on.
   */
  readonly onHandlerError?: 'crash' | 'retry';
  readonly maxAttempts?: number;
  /**
   * Every effect of this actor derives from events already in the log and stays inside Postgres (no
   * broker, no outside world): its commits need not wait for the WAL flush (PoolOptions.asyncCommit).
   */
  readonly asyncCommit?: boolean;
  /** See ConsumerOptions.lingerMs: for actors off the critical path. */
  readonly lingerMs?: number;
  /** Where the actor's consumer starts on its very first run (default: the origin of the log); see ConsumerOptions.startAfter. */
  readonly startAfter?: (config: C) => Cursor | undefined;
}

export interface ActorDefinition<S = unknown, C = unknown> {
  readonly kind: string;
  /** valibot schema of the actor's config; without one the config must be an object and is passed as it is. */
  readonly configSchema?: v.GenericSchema<unknown, C>;
  readonly subscribe?: ActorSubscription<S, C>;
  /**
   * Runs once the subscription has loaded its offset and state; the consumer is already handling events
   * while it runs. A throw is a failed start, which counts as a crash.
   */
  start?(ctx: ActorContext<C>): void | Promise<void>;
  /** Runs after the consumer has stopped (its last batch committed or rolled back). */
  stop?(ctx: ActorContext<C>): void | Promise<void>;
}

const KIND = /^[a-z][a-z0-9_-]*$/;

/** Declare an actor; the module's default export. Checks the shape at import, so a bad module fails its first start loudly. */
export function defineActor<S = unknown, C = Record<string, unknown>>(definition: ActorDefinition<S, C>): ActorDefinition<S, C> {
  if (!KIND.test(definition.kind)) throw new Error(`defineActor: kind "${definition.kind}" must be lower-case letters, digits, _ and - (it prefixes actor ids)`);
  const sub = definition.subscribe;
  if (sub && sub.types.length === 0) throw new Error(`defineActor(${definition.kind}): subscribe.types is empty; list the event types to consume or drop subscribe`);
  if (!sub && !definition.start) throw new Error(`defineActor(${definition.kind}): an actor needs subscribe, start, or both`);
  return Object.freeze({ ...definition });
}

/** Is this module export an actor definition? (The worker and the control plane check modules with it.) */
export function isActorDefinition(value: unknown): value is ActorDefinition {
  const d = value as ActorDefinition | null;
  return typeof d === 'object' && d !== null && typeof d.kind === 'string' && (typeof d.start === 'function' || typeof d.subscribe === 'object');
}
