// The strategy library: every strategy Marvin can run, by name. Static imports, so a run that names a
// strategy gets exactly the code that was shipped. A strategy here never does I/O, reads the wall clock
// or imports another strategy; shared pieces live in ./lib.
import { WeaverError } from '../../../protocol/errors.ts';
import type { StrategyDefinition } from '../strategy.ts';
import breakout from './breakout/index.ts';
import smaCross from './sma_cross/index.ts';

const all: readonly StrategyDefinition[] = [smaCross, breakout];

export const STRATEGIES: Readonly<Record<string, StrategyDefinition>> = Object.freeze(Object.fromEntries(all.map((d) => [d.name, d])));
if (Object.keys(STRATEGIES).length !== all.length) throw new Error(`two strategies share a name: ${all.map((d) => d.name).join(', ')}`);

/** The known strategy names, sorted. */
export function strategyNames(): string[] {
  return Object.keys(STRATEGIES).sort();
}

/** The strategy called `name`; a WeaverError('unknown_strategy') listing the known names otherwise. */
export function findStrategy(name: string): StrategyDefinition {
  const definition = Object.hasOwn(STRATEGIES, name) ? STRATEGIES[name] : undefined;
  if (!definition) {
    throw new WeaverError('unknown_strategy', `unknown strategy "${name}"; known strategies: ${strategyNames().join(', ')}`, { strategy: name, known: strategyNames() });
  }
  return definition;
}
