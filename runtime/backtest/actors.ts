// The actors of a backtest as the memory kernel hosts them: the same handlers the workers run, with
// bars from a CandleSource in memory. Marvin actors are spawned and killed as the router asks.
import { initialClockState } from '../../actors/clock/backtest-clock.ts';
import { CLOCK_TYPES, createClockHandler } from '../../actors/clock/handler.ts';
import { createGretaHandler, GRETA_TYPES } from '../../actors/greta/handler.ts';
import { initialGretaState } from '../../actors/greta/state.ts';
import { MARVIN_TYPES } from '../../actors/marvin/engine.ts';
import { marvinFor } from '../../actors/marvin/setup.ts';
import { initialMarvinState, type MarvinState } from '../../actors/marvin/state.ts';
import { createRouterHandler, ROUTER_TYPES } from '../../actors/router/handler.ts';
import { initialRouterState } from '../../actors/router/runs.ts';
import type { LoggedEvent, RunSpec } from '../../protocol/index.ts';
import type { EventHandler } from '../eventlog/types.ts';
import type { CandleSource } from '../market-data/source.ts';

export interface HostedActor {
  readonly name: string;
  readonly types: readonly string[];
  readonly initialState: () => unknown;
  readonly handler: EventHandler<unknown>;
}

export function singletonActors(source: CandleSource): HostedActor[] {
  const candles = () => source;
  return [
    { name: 'router', types: ROUTER_TYPES, initialState: initialRouterState, handler: createRouterHandler('router') as EventHandler<unknown> },
    { name: 'clock', types: CLOCK_TYPES, initialState: initialClockState, handler: createClockHandler('clock', candles) as EventHandler<unknown> },
    { name: 'greta', types: GRETA_TYPES, initialState: initialGretaState, handler: createGretaHandler('greta', candles) as EventHandler<unknown> },
  ];
}

/** The Marvin actor an actor.Spawn asks for (kind marvin), or null for another kind. */
export function marvinActor(payload: { actor_id: string; kind: string; config: Record<string, unknown> }): HostedActor | null {
  if (payload.kind !== 'marvin') return null;
  const config = payload.config as { run: RunSpec; instance_id: string };
  const marvin = marvinFor(config.run, config.instance_id, payload.actor_id);
  const handler: EventHandler<MarvinState> = (e, ctx) => marvin(e, ctx.state, (out) => ctx.emit(out));
  return { name: payload.actor_id, types: MARVIN_TYPES, initialState: initialMarvinState, handler: handler as EventHandler<unknown> };
}

/**
 * The supervisor's part in the kernel: start the Marvin an actor.Spawn asks for (once per id), stop it on
 * actor.Kill. `start` hosts it on the transport, after the spawn event.
 */
export function spawner<H>(start: (actor: HostedActor, after: LoggedEvent) => H, stop: (hosted: H) => void): EventHandler<null> {
  const running = new Map<string, H>();
  return (event) => {
    const p = event.payload as { actor_id: string; kind: string; config: Record<string, unknown> };
    if (event.type === 'actor.Kill') {
      const hosted = running.get(p.actor_id);
      if (hosted !== undefined) stop(hosted);
      running.delete(p.actor_id);
      return;
    }
    const m = running.has(p.actor_id) ? null : marvinActor(p);
    if (m) running.set(p.actor_id, start(m, event));
  };
}

export const SPAWN_TYPES = ['actor.Spawn', 'actor.Kill'] as const;
