// Loading an actor module and checking its config: the worker does it before starting an actor, and the
// supervisor's control plane does it before accepting an actor.Spawn, so a bad config is refused with
// reasons instead of crash-looping into `failed`.
import * as v from 'valibot';
import { issuesToDetails, WeaverError } from '../../protocol/index.ts';
import { isActorDefinition, type ActorDefinition } from './define.ts';

export async function loadActorModule(moduleUrl: string, kind: string): Promise<ActorDefinition> {
  const mod = (await import(moduleUrl)) as { default?: unknown };
  if (!isActorDefinition(mod.default)) {
    throw new WeaverError('invalid_actor_module', `${moduleUrl} has no default export made by defineActor(...); export default defineActor({kind: '${kind}', ...})`);
  }
  if (mod.default.kind !== kind) {
    throw new WeaverError('invalid_actor_module', `${moduleUrl} defines kind "${mod.default.kind}" but is registered as "${kind}"; fix actors/index.ts or the kinds option`);
  }
  return mod.default;
}

/** The config as the actor will see it; a WeaverError('invalid_config') with per-field details otherwise. */
export function parseActorConfig(definition: ActorDefinition, config: unknown): unknown {
  if (!definition.configSchema) {
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new WeaverError('invalid_config', `the config of a ${definition.kind} actor must be a JSON object`);
    }
    return config;
  }
  const parsed = v.safeParse(definition.configSchema, config);
  if (parsed.success) return parsed.output;
  const details = issuesToDetails(parsed.issues);
  const lines = details.map((d) => `${d.path || '(root)'}: ${d.message}`).join('; ');
  throw new WeaverError('invalid_config', `invalid config for a ${definition.kind} actor: ${lines}`, details);
}
