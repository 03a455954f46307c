// The memory kernel: the very actors of a backtest (router, clock, Greta, one Marvin per instance) in one
// thread, bars from memory. Same handlers as the Postgres pipeline, so the results are identical (a
// parity test shows it). Two transports: the synchronous bus (default: sweeps, the kernel benchmark) and
// the memory EventLog (the same consumer algorithm as Postgres: offsets, batches, snapshots).
import { makeEvent, RunCreated, RunStartRequested, type Envelope, type LoggedEvent, type RunSpec } from '../../protocol/index.ts';
import { createMemoryEventLog } from '../eventlog/memory.ts';
import type { Consumer } from '../eventlog/types.ts';
import type { CandleSource } from '../market-data/source.ts';
import { singletonActors, SPAWN_TYPES, spawner } from './actors.ts';
import { createBus } from './bus.ts';
import { COLLECTED_TYPES, createCollector } from './collect.ts';
import type { BacktestResult } from './result.ts';

export interface KernelOptions {
  readonly transport?: 'bus' | 'eventlog';
  /**
   * Called with every event the result collector sees, and every strategy.DecisionMade (tests: look-ahead
   * checks, progress). Events it returns are appended (tests: stop a run part-way).
   */
  readonly onEvent?: (event: LoggedEvent) => readonly Envelope[] | void;
}

/** The collector's types, and the decisions when someone watches (what a strategy noted on each bar). */
const watchedTypes = (options: KernelOptions): readonly string[] => (options.onEvent ? [...COLLECTED_TYPES, 'strategy.DecisionMade'] : COLLECTED_TYPES);

export async function runInMemory(spec: RunSpec, source: CandleSource, options: KernelOptions = {}): Promise<BacktestResult> {
  return options.transport === 'eventlog' ? onEventLog(spec, source, options) : onBus(spec, source, options);
}

const starting = (spec: RunSpec) => [makeEvent(RunCreated, { spec }, 'kernel', { run_id: spec.run_id }), makeEvent(RunStartRequested, { run_id: spec.run_id }, 'kernel', { run_id: spec.run_id })];

async function onBus(spec: RunSpec, source: CandleSource, options: KernelOptions): Promise<BacktestResult> {
  const bus = createBus();
  const collector = createCollector(spec);
  for (const a of singletonActors(source)) bus.subscribe(a.name, a.types, a.initialState(), a.handler);
  bus.subscribe('supervisor', SPAWN_TYPES, null, spawner((m) => bus.subscribe(m.name, m.types, m.initialState(), m.handler), (hosted) => hosted.stop()));
  bus.subscribe('collector', watchedTypes(options), null, (event) => {
    collector.add(event);
    const more = options.onEvent?.(event);
    if (more && more.length > 0) bus.publish(more);
  });
  bus.publish(starting(spec));
  await bus.drain(() => collector.settled);
  if (!collector.settled) throw new Error(`run ${spec.run_id} stalled: the kernel ran out of events before the run settled (${bus.dispatched} events)`);
  return collector.result();
}

async function onEventLog(spec: RunSpec, source: CandleSource, options: KernelOptions): Promise<BacktestResult> {
  const log = createMemoryEventLog();
  const collector = createCollector(spec);
  const consumers: Consumer[] = [];
  const marvins = new Set<Consumer>();
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
  const common = { onHandlerError: 'crash' as const, maxAttempts: 1, pollIntervalMs: 60_000 };
  for (const a of singletonActors(source)) consumers.push(watch(log.subscribe({ ...common, name: a.name, types: a.types, initialState: a.initialState }, a.handler)));
  consumers.push(
    watch(
      log.subscribe(
        { ...common, name: 'supervisor', types: SPAWN_TYPES, initialState: () => null },
        spawner(
          (m, after) => {
            const c = watch(log.subscribe({ ...common, name: m.name, types: m.types, initialState: m.initialState, startAfter: after.cursor }, m.handler));
            marvins.add(c);
            return c;
          },
          (c) => {
            marvins.delete(c);
            void c.stop();
          },
        ),
      ),
    ),
  );
  consumers.push(
    watch(
      log.subscribe({ ...common, name: 'collector', types: [...watchedTypes(options)], initialState: () => null }, (event) => {
        collector.add(event);
        const more = options.onEvent?.(event);
        if (more && more.length > 0) void log.publish(more).catch(fail);
        if (collector.settled) settle();
      }),
    ),
  );
  try {
    await Promise.all(consumers.map((c) => c.ready));
    await log.publish(starting(spec));
    await settled;
    return collector.result();
  } finally {
    await Promise.all([...consumers, ...marvins.values()].map((c) => c.stop()));
    await log.close();
  }
}
