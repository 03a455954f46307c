// The actor.* lifecycle events the supervisor appends to the log. causation_id is the command behind the
// change (actors.last_command_id) while its outcome is pending, so the CLI can wait for "what happened to
// my command" with one query on causation_id.
import {
  ActorCrashed,
  ActorFailed,
  ActorRestarted,
  ActorStarted,
  ActorStopped,
  makeEvent,
  type Envelope,
  type ErrorModel,
} from '../../protocol/index.ts';
import type { WireError } from '../actor/protocol.ts';

export type Lifecycle =
  | { readonly type: 'started'; readonly incarnation: number; readonly fencing: bigint }
  | { readonly type: 'crashed'; readonly error: ErrorModel; readonly restarts: number }
  | { readonly type: 'restarted'; readonly restarts: number; readonly backoffMs: number }
  | { readonly type: 'failed'; readonly error: ErrorModel; readonly restarts: number }
  | { readonly type: 'stopped'; readonly reason: 'command' | 'shutdown' | 'lease_lost' };

export interface LifecycleSubject {
  readonly actorId: string;
  readonly kind: string;
  readonly supervisorId: string;
  readonly causationId: string | null;
}

export function lifecycleEvent(e: Lifecycle, s: LifecycleSubject): Envelope {
  const base = { actor_id: s.actorId, kind: s.kind, supervisor_id: s.supervisorId };
  const producer = `supervisor:${s.supervisorId}`;
  const meta = { causation_id: s.causationId };
  switch (e.type) {
    case 'started':
      return makeEvent(ActorStarted, { ...base, incarnation: e.incarnation, fencing: e.fencing.toString() }, producer, meta);
    case 'crashed':
      return makeEvent(ActorCrashed, { ...base, error: e.error, restarts: e.restarts }, producer, meta);
    case 'restarted':
      return makeEvent(ActorRestarted, { ...base, restarts: e.restarts, backoff_ms: e.backoffMs }, producer, meta);
    case 'failed':
      return makeEvent(ActorFailed, { ...base, error: e.error, restarts: e.restarts }, producer, meta);
    case 'stopped':
      return makeEvent(ActorStopped, { ...base, reason: e.reason }, producer, meta);
  }
}

/** A worker's error as the error model; the code says what kind of death it was. */
export function crashModel(code: string, error: WireError | null, fallbackMessage: string): ErrorModel {
  return {
    code: error?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out_of_memory' : code,
    message: error?.message ?? fallbackMessage,
    details: error ? { name: error.name, ...(error.code ? { error_code: error.code } : {}), ...(error.stack ? { stack: error.stack.split('\n').slice(0, 8).join('\n') } : {}) } : undefined,
    correlation_id: null,
  };
}
