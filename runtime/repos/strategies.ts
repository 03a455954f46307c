// The strategies Marvin can run, as the gateway describes them (the same objects `weaver strategies --json`
// prints), and whether a strategy name appears in any run (a filter may name a strategy no longer loaded).
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { describeParams, type ParamDescription } from '../../actors/marvin/params.ts';
import { findStrategy, strategyNames } from '../../actors/marvin/strategies/index.ts';

export interface StrategyView {
  readonly name: string;
  readonly description: string;
  /** In declaration order; min and max are null where the definition has none. */
  readonly params: ParamDescription[];
}

/** Every known strategy, sorted by name. */
export function listStrategies(): StrategyView[] {
  return strategyNames().map(describeStrategy);
}

/** One strategy; a WeaverError('unknown_strategy') listing the known names otherwise. */
export function describeStrategy(name: string): StrategyView {
  const def = findStrategy(name);
  return { name: def.name, description: def.description, params: describeParams(def) };
}

export { strategyNames };

export function isKnownStrategy(name: string): boolean {
  return strategyNames().includes(name);
}

const Exists = v.object({ used: v.boolean() });

/** True when some run has an instance of this strategy. */
export async function strategyUsed(db: CommonQueryMethods, name: string): Promise<boolean> {
  return db.oneFirst(sql.type(Exists)`SELECT EXISTS (SELECT 1 FROM strategy_instances WHERE strategy = ${name}) AS used`);
}
