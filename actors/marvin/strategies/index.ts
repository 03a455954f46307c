// The strategy library: every strategy Marvin can run, by name. The built-ins are static imports, so a
// run that names one gets exactly the code that was shipped. A user's own strategies (and tests') come
// from WEAVER_STRATEGY_MODULES: absolute paths or file URLs of modules whose default export is a
// defineStrategy(...), comma-separated, loaded by every process and worker that reads this module. A
// strategy never does I/O, reads the wall clock or imports another strategy; shared pieces live in ./lib.
import { pathToFileURL } from 'node:url';
import { WeaverError } from '../../../protocol/errors.ts';
import type { StrategyDefinition } from '../strategy.ts';
import breakout from './breakout/index.ts';
import smaCross from './sma_cross/index.ts';

const builtIn: readonly StrategyDefinition[] = [smaCross, breakout];
const registry = new Map<string, StrategyDefinition>();

/** Add a strategy by its name; a second one of the same name is a mistake and is refused. */
export function registerStrategy(definition: StrategyDefinition): void {
  const existing = registry.get(definition.name);
  if (existing && existing !== definition) throw new Error(`two strategies are named "${definition.name}"; rename one`);
  registry.set(definition.name, definition);
}

for (const d of builtIn) registerStrategy(d);

async function loadExtraModules(list: string | undefined): Promise<void> {
  for (const entry of (list ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const url = entry.startsWith('file:') ? entry : pathToFileURL(entry).href;
    let mod: { default?: unknown };
    try {
      mod = (await import(url)) as { default?: unknown };
    } catch (error) {
      throw new Error(`WEAVER_STRATEGY_MODULES: cannot load ${entry}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const def = mod.default as StrategyDefinition | undefined;
    if (!def || typeof def.name !== 'string' || typeof def.onBar !== 'function') throw new Error(`WEAVER_STRATEGY_MODULES: ${entry} has no default export made with defineStrategy(...)`);
    registerStrategy(def);
  }
}

await loadExtraModules(process.env.WEAVER_STRATEGY_MODULES);

/** The known strategies by name (built-in and registered). */
export const STRATEGIES: Readonly<Record<string, StrategyDefinition>> = new Proxy({} as Record<string, StrategyDefinition>, {
  get: (_t, key) => (typeof key === 'string' ? registry.get(key) : undefined),
  has: (_t, key) => typeof key === 'string' && registry.has(key),
  ownKeys: () => [...registry.keys()],
  getOwnPropertyDescriptor: (_t, key) => (typeof key === 'string' && registry.has(key) ? { value: registry.get(key), enumerable: true, configurable: true } : undefined),
});

/** The known strategy names, sorted. */
export function strategyNames(): string[] {
  return [...registry.keys()].sort();
}

/** The strategy called `name`; a WeaverError('unknown_strategy') listing the known names otherwise. */
export function findStrategy(name: string): StrategyDefinition {
  const definition = registry.get(name);
  if (!definition) {
    throw new WeaverError('unknown_strategy', `unknown strategy "${name}"; known strategies: ${strategyNames().join(', ')}`, { strategy: name, known: strategyNames() });
  }
  return definition;
}
