// Build an instance's Marvin from its run spec: find the strategy by name and resolve its parameters.
// Both the actor (Postgres) and the memory kernel start instances through here.
import type { RunSpec } from '../../protocol/index.ts';
import { createMarvin } from './engine.ts';
import { resolveParams } from './params.ts';
import { findStrategy } from './strategies/index.ts';

export function marvinFor(run: RunSpec, instanceId: string, producer: string): ReturnType<typeof createMarvin> {
  const inst = run.instances.find((i) => i.instance_id === instanceId);
  if (!inst) throw new Error(`run ${run.run_id} has no strategy instance ${instanceId}`);
  const strategy = findStrategy(inst.strategy);
  return createMarvin({ run, instanceId, strategy, params: resolveParams(strategy, inst.params), producer });
}
