// Waiting for the supervisor's answer to an actor.* command. Polling, not LISTEN: a CLI waits seconds at
// most, a 100 ms poll is one indexed query, and a LISTEN connection would cost a session for nothing more.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommonQueryMethods } from 'slonik';
import type { Cursor } from '../../protocol/index.ts';
import { findAnswers, type Answer } from './sql/find-answers.ts';

export type CommandType = 'actor.Spawn' | 'actor.Kill' | 'actor.Restart';
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

export interface Answered {
  readonly outcome: Outcome;
  readonly answer: Answer;
  /** Every answer seen, steps included, in log order. */
  readonly trail: readonly Answer[];
}

const POLL_MS = 100;

/** The final answer, or null when none came within timeoutMs. */
export async function awaitAnswer(db: CommonQueryMethods, type: CommandType, commandId: string, at: Cursor, timeoutMs: number): Promise<Answered | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const trail = await findAnswers(db, commandId, at);
    const answer = trail.find((a) => FINAL[type][a.type] !== undefined);
    if (answer) return { outcome: FINAL[type][answer.type]!, answer, trail };
    const left = deadline - performance.now();
    if (left <= 0) return null;
    await sleep(Math.min(POLL_MS, left));
  }
}
