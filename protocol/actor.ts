import * as v from 'valibot';
import { ErrorModel } from './errors.ts';
import { defineEvent } from './registry.ts';

/** actor.*: the supervisor's control commands (appended by the CLI and the gateway) and its lifecycle events. */

export const ActorId = v.pipe(
  v.string(),
  v.regex(/^[a-z][a-z0-9_-]*(:[A-Za-z0-9_.-]+)?$/, 'an actor id is a kind, optionally followed by :name (letters, digits, _ . -)'),
  v.maxLength(120),
);
const ActorKind = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_-]*$/, 'a kind is lower-case letters, digits, _ and -'));

export const ActorSpawn = defineEvent('actor.Spawn', 'cmd', v.object({ actor_id: ActorId, kind: ActorKind, config: v.record(v.string(), v.unknown()) }));
export const ActorKill = defineEvent('actor.Kill', 'cmd', v.object({ actor_id: ActorId }));
export const ActorRestart = defineEvent('actor.Restart', 'cmd', v.object({ actor_id: ActorId }));

/** A command the supervisor refused (unknown kind, duplicate or unknown id); causation_id is the command's id. */
export const ActorCommandRejected = defineEvent('actor.CommandRejected', 'evt', v.object({ command_id: v.string(), command_type: v.string(), actor_id: v.string(), error: ErrorModel }));

const Lifecycle = { actor_id: v.string(), kind: v.string(), supervisor_id: v.string() };
export const ActorStarted = defineEvent('actor.Started', 'evt', v.object({ ...Lifecycle, incarnation: v.number(), fencing: v.string() }));
export const ActorCrashed = defineEvent('actor.Crashed', 'evt', v.object({ ...Lifecycle, error: ErrorModel, restarts: v.number() }));
export const ActorRestarted = defineEvent('actor.Restarted', 'evt', v.object({ ...Lifecycle, restarts: v.number(), backoff_ms: v.number() }));
export const ActorFailed = defineEvent('actor.Failed', 'evt', v.object({ ...Lifecycle, error: ErrorModel, restarts: v.number() }));
export const ActorStopped = defineEvent('actor.Stopped', 'evt', v.object({ ...Lifecycle, reason: v.picklist(['command', 'shutdown', 'lease_lost']) }));
