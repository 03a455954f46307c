// What became of an actor.* command: the supervisor's answers are actor.* events whose causation_id is the
// command's id. There is no index on causation_id, so a scan starts at the command's own (tx, position) on
// outbox_tx_position_idx and reads only what was appended since (an answer is always written after its
// command committed, so it can only lie after it). Waiting polls: a caller waits seconds at most, a
// 100 ms poll is one indexed query, and a LISTEN connection would cost a session for nothing more.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import type { Cursor } from '../../protocol/index.ts';
import { sql } from '../db/pool.ts';

export const COMMAND_TYPES = ['actor.Spawn', 'actor.Kill', 'actor.Restart'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];
export type Outcome = 'started' | 'stopped' | 'restarted' | 'failed' | 'rejected';

/**
 * Which answer ends the wait for each command, and what it means. Other actor.* events caused by the
 * command (actor.Crashed, actor.Stopped on the way to a restart) are steps, not answers.
 */
const FINAL: Record<CommandType, Readonly<Record<string, Outcome>>> = {
  'actor.Spawn': { 'actor.Started': 'started', 'actor.Failed': 'failed', 'actor.CommandRejected': 'rejected' },
  'actor.Kill': { 'actor.Stopped': 'stopped', 'actor.Failed': 'failed', 'actor.CommandRejected': 'rejected' },
  'actor.Restart': { 'actor.Started': 'restarted', 'actor.Restarted': 'restarted', 'actor.Failed': 'failed', 'actor.CommandRejected': 'rejected' },
};

export const Answer = v.object({ tx: v.string(), position: v.bigint(), id: v.string(), type: v.string(), producer: v.string(), payload: v.unknown() });
export type Answer = v.InferOutput<typeof Answer>;

export interface Answered {
  readonly outcome: Outcome;
  readonly answer: Answer;
  /** Every answer seen, steps included, in log order. */
  readonly trail: readonly Answer[];
}

/** An actor.* command as logged: what it asked and where it landed. */
export interface LoggedCommand {
  readonly id: string;
  readonly type: CommandType;
  readonly actorId: string;
  readonly at: Cursor;
}

const CommandRow = v.object({ tx: v.string(), position: v.bigint(), id: v.string(), type: v.picklist(COMMAND_TYPES), actor_id: v.string() });

/** The actor.* command with this id, or null when the log has none. */
export async function findCommand(db: CommonQueryMethods, commandId: string): Promise<LoggedCommand | null> {
  const row = await db.maybeOne(sql.type(CommandRow)`
    SELECT tx::text AS tx, position, id::text AS id, type, payload->>'actor_id' AS actor_id
    FROM outbox
    WHERE id = ${commandId}::uuid AND kind = 'cmd' AND type IN ('actor.Spawn', 'actor.Kill', 'actor.Restart')`);
  return row && { id: row.id, type: row.type, actorId: row.actor_id, at: { tx: BigInt(row.tx), position: row.position } };
}

export async function findAnswers(db: CommonQueryMethods, commandId: string, after: Cursor): Promise<Answer[]> {
  return [
    ...(await db.any(sql.type(Answer)`
      SELECT tx::text AS tx, position, id::text AS id, type, producer, payload
      FROM outbox
      WHERE (tx, position) > (${after.tx.toString()}::xid8, ${after.position.toString()}::int8)
        AND type LIKE 'actor.%' AND causation_id = ${commandId}
      ORDER BY tx, position`)),
  ];
}

/** The final answer among `trail`, or null while the command is pending. */
export function finalAnswer(type: CommandType, trail: readonly Answer[]): Answered | null {
  const answer = trail.find((a) => FINAL[type][a.type] !== undefined);
  return answer ? { outcome: FINAL[type][answer.type]!, answer, trail } : null;
}

const POLL_MS = 100;

/** The final answer, or null when none came within timeoutMs (or `signal` aborted the wait). */
export async function awaitAnswer(
  db: CommonQueryMethods,
  type: CommandType,
  commandId: string,
  at: Cursor,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Answered | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answered = finalAnswer(type, await findAnswers(db, commandId, at));
    if (answered) return answered;
    const left = deadline - performance.now();
    if (left <= 0 || signal?.aborted) return null;
    try {
      await sleep(Math.min(POLL_MS, left), undefined, signal ? { signal } : {});
    } catch {
      return null; // aborted: the asker is gone
    }
  }
}

/** A command's outcome as the gateway answers it and `weaver actors … --json` prints it. */
export interface CommandResult {
  readonly command_id: string;
  readonly command_type: CommandType;
  readonly actor_id: string;
  readonly outcome: Outcome | 'pending';
  /** The supervisor's final answer (absent while pending); cursor is `tx.position`. */
  readonly answer?: { readonly id: string; readonly type: string; readonly cursor: string; readonly payload: unknown };
}

export function commandResult(command: { id: string; type: CommandType; actorId: string }, answered: Answered | null): CommandResult {
  const base = { command_id: command.id, command_type: command.type, actor_id: command.actorId };
  if (!answered) return { ...base, outcome: 'pending' };
  const { outcome, answer } = answered;
  return { ...base, outcome, answer: { id: answer.id, type: answer.type, cursor: `${answer.tx}.${answer.position}`, payload: answer.payload } };
}
