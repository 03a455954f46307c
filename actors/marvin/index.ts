// The Marvin actor: one strategy instance of a run, spawned by the router when the run starts (config:
// the run spec, the instance id, and where its consumer starts: after the event that started the run).
import * as v from 'valibot';
import { parseCursor, RunSpec } from '../../protocol/index.ts';
import { defineActor } from '../../runtime/actor/define.ts';
import { MARVIN_TYPES } from './engine.ts';
import { marvinFor } from './setup.ts';
import { initialMarvinState, type MarvinState } from './state.ts';

const MarvinConfig = v.object({ run: RunSpec, instance_id: v.string(), start_after: v.string() });
type MarvinConfig = v.InferOutput<typeof MarvinConfig>;

let marvin: ReturnType<typeof marvinFor> | null = null;

export default defineActor<MarvinState, MarvinConfig>({
  kind: 'marvin',
  configSchema: MarvinConfig,
  subscribe: {
    asyncCommit: true, // every effect derives from the log and stays in Postgres
    types: MARVIN_TYPES,
    initialState: initialMarvinState,
    startAfter: (config) => parseCursor(config.start_after) ?? undefined,
    handle: (event, ctx, actor) => (marvin ??= marvinFor(actor.config.run, actor.config.instance_id, actor.id))(event, ctx.state, (e) => ctx.emit(e)),
  },
});
