// The memory kernel: the very actors of a backtest (router, clock, Greta, one Marvin per instance) on
// the memory event log, in one thread, with bars from memory. Same handlers, same consumer algorithm as
// the Postgres pipeline, so the results are identical (a parity test shows it); used by sweeps, tests
// and the kernel benchmark.
import { makeEvent, RunCreated, RunStartRequested, type LoggedEvent, type RunSpec } from '../../protocol/index.ts';
import { createClockHandler, CLOCK_TYPES } from '../../actors/clock/handler.ts';
import { initialClockState } from '../../actors/clock/backtest-clock.ts';
import { createGretaHandler, GRETA_TYPES } from '../../actors/greta/handler.ts';
import { initialGretaState } from '../../actors/greta/state.ts';
import { MARVIN_TYPES } from '../../actors/marvin/engine.ts';
import { marvinFor } from '../../actors/marvin/setup.ts';
import { initialMarvinState, type MarvinState } from '../../actors/marvin/state.ts';
import { createRouterHandler, ROUTER_TYPES } from '../../actors/router/handler.ts';
import { initialRouterState } from '../../actors/router/runs.ts';
import { createMemoryEventLog, type MemoryEventLog } from '../eventlog/memory.ts';
import type { Consumer } from '../eventlog/types.ts';
import type { CandleSource } from '../market-data/source.ts';
import { COLLECTED_TYPES, createCollector } from './collect.ts';
import type { BacktestResult } from './result.ts';

export interface KernelOptions {
  /** Events per consumer batch (default 500, as the actors). */
  readonly batchSize?: number;
  /** Called with every event the collector sees (tests: progress, look-ahead checks). */
  readonly onEvent?: (event: LoggedEvent) => void;
}

export interface KernelRun {
  readonly result: BacktestResult;
  /** The log, for tests that inspect the events. */
  readonly log: MemoryEventLog;
}

export async function runInMemory(spec: RunSpec, source: CandleSource, options: KernelOptions = {}): Promise<KernelRun> {
  const log = createMemoryEventLog();
  const candles = () => source;
  const batchSize = options.batchSize ?? 500;
  const consumers: Consumer[] = [];
  const marvins = new Map<string, Consumer>();
  const collector = createCollector(spec);
  let settle!: () => void;
  let fail!: (error: unknown) => void;
  const settled = new Promise<void>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });

  const watch = (c: Consumer) => {
    void c.done.then(
      (exit) => exit.reason !== 'stopped' && fail(new Error(`consumer ${c.name} ended: ${exit.reason}`)),
      (error: unknown) => fail(error),
    );
    return c;
  };
  const common = { batchSize, onHandlerError: 'crash' as const, maxAttempts: 1, pollIntervalMs: 60_000 };

  consumers.push(watch(log.subscribe({ ...common, name: 'router', types: ROUTER_TYPES, initialState: initialRouterState }, createRouterHandler('router'))));
  consumers.push(watch(log.subscribe({ ...common, name: 'clock', types: CLOCK_TYPES, initialState: initialClockState }, createClockHandler('clock', candles))));
  consumers.push(watch(log.subscribe({ ...common, name: 'greta', types: GRETA_TYPES, initialState: initialGretaState }, createGretaHandler('greta', candles))));
  // The supervisor's part: spawn and kill the instances' Marvin actors as the router asks.
  consumers.push(
    watch(
      log.subscribe({ ...common, name: 'supervisor', types: ['actor.Spawn', 'actor.Kill'], initialState: () => null }, (event) => {
        const p = event.payload as { actor_id: string; kind?: string; config?: { run: RunSpec; instance_id: string } };
        if (event.type === 'actor.Kill') {
          void marvins.get(p.actor_id)?.stop();
          marvins.delete(p.actor_id);
          return;
        }
        if (p.kind !== 'marvin' || marvins.has(p.actor_id)) return;
        const marvin = marvinFor(p.config!.run, p.config!.instance_id, p.actor_id);
        const c = log.subscribe<MarvinState>(
          { ...common, name: p.actor_id, types: MARVIN_TYPES, initialState: initialMarvinState, startAfter: event.cursor },
          (e, ctx) => marvin(e, ctx.state, (out) => ctx.emit(out)),
        );
        marvins.set(p.actor_id, watch(c));
      }),
    ),
  );
  consumers.push(
    watch(
      log.subscribe({ ...common, name: 'collector', types: [...COLLECTED_TYPES], initialState: () => null }, (event) => {
        collector.add(event);
        options.onEvent?.(event);
        if (collector.settled) settle();
      }),
    ),
  );

  try {
    await Promise.all(consumers.map((c) => c.ready));
    await log.transaction(async (tx) => {
      await tx.append([makeEvent(RunCreated, { spec }, 'kernel', { run_id: spec.run_id }), makeEvent(RunStartRequested, { run_id: spec.run_id }, 'kernel', { run_id: spec.run_id })]);
    });
    await settled;
    return { result: collector.result(), log };
  } finally {
    await Promise.all([...consumers, ...marvins.values()].map((c) => c.stop()));
    await log.close();
  }
}
