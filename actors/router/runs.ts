// A run's lifecycle as the router (GLaDOS) keeps it: created → running → completed | failed | stopped.
// Pure: each function takes the state and the event and returns what to emit; the handler appends it.
import type { ErrorModel, RunSpec } from '../../protocol/index.ts';

export type InstanceState = {
  status: 'running' | 'completed' | 'failed' | 'stopped';
  /** strategy.Finished seen (the instance will send nothing more). */
  finished: boolean;
  /** backtest.Completed seen (its results are in the log). */
  settled: boolean;
  error: ErrorModel | null;
};

export type RunEntry = {
  spec: RunSpec;
  status: 'created' | 'running' | 'stopping';
  instances: Record<string, InstanceState>;
};

export interface RouterState {
  runs: Record<string, RunEntry>;
}

export const initialRouterState = (): RouterState => ({ runs: {} });

/** The Marvin actor of an instance. */
export const marvinActorId = (instanceId: string): string => `marvin:${instanceId}`;

export function instanceOfActor(actorId: string): string | null {
  return actorId.startsWith('marvin:') ? actorId.slice('marvin:'.length) : null;
}

export function findRunOfInstance(state: RouterState, instanceId: string): [string, RunEntry] | null {
  for (const [runId, run] of Object.entries(state.runs)) if (run.instances[instanceId]) return [runId, run];
  return null;
}

/** Every instance has settled: the run's outcome. */
export function outcome(run: RunEntry): 'completed' | 'failed' | 'stopped' | null {
  const all = Object.values(run.instances);
  if (!all.every((i) => i.settled)) return null;
  if (run.status === 'stopping') return 'stopped';
  return all.some((i) => i.status === 'failed') ? 'failed' : 'completed';
}
