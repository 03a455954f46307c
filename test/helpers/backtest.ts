// Helpers for backtest tests on the memory kernel: a candle source from arrays, a checked RunSpec in one
// call, the test strategies registered in this process, and results made comparable. A run_id and an
// instance_id are random by design (newId), and they show up inside other ids (order ids are
// `<instance_id>:o<seq>`, fill ids `<order_id>:f<n>`) and in error messages; normalising replaces them,
// everywhere in the result, by names that depend only on the instance's position in the spec.
import type { Timeframe } from '../../protocol/timeframes.ts';
import type { RunSpec } from '../../protocol/run.ts';
import { registerStrategy } from '../../actors/marvin/strategies/index.ts';
import type { StrategyDefinition } from '../../actors/marvin/strategy.ts';
import { buildRunSpec, fitToData, type BacktestRequest } from '../../runtime/backtest/spec.ts';
import type { BacktestResult, InstanceResult } from '../../runtime/backtest/result.ts';
import { createMemoryCandleSource, type MemoryCandleSource, type Series } from '../../runtime/market-data/memory.ts';
import peek from '../strategies/peek.ts';
import throws from '../strategies/throws.ts';

/** test_peek and test_throws, known to findStrategy in this process (registering twice is harmless). */
export function registerTestStrategies(): void {
  registerStrategy(peek as unknown as StrategyDefinition);
  registerStrategy(throws as unknown as StrategyDefinition);
}

/** A memory candle source holding `series` (symbol → columns) in one timeframe. */
export function memorySource(series: Readonly<Record<string, Series>>, timeframe: Timeframe = '1d'): MemoryCandleSource {
  const source = createMemoryCandleSource();
  for (const [symbol, s] of Object.entries(series)) source.add(symbol, timeframe, s);
  return source;
}

export type QuickRequest = Partial<BacktestRequest> & Pick<BacktestRequest, 'strategy' | 'symbols'>;

/** buildRunSpec + fitToData: a fresh spec (new run and instance ids) over the whole of the stored data by default. */
export async function quickSpec(source: MemoryCandleSource, request: QuickRequest): Promise<RunSpec> {
  return fitToData(buildRunSpec({ timeframe: '1d', ...request }), source);
}

/** The same spec with only the instance at `index` (same ids, so a solo run is comparable after normalising). */
export function soloSpec(spec: RunSpec, index: number): RunSpec {
  return { ...spec, instances: [spec.instances[index]!] };
}

/** A deep copy of `value` with every occurrence of each key of `names` inside strings replaced by its value. */
function renamed<T>(value: T, names: ReadonlyMap<string, string>): T {
  const rename = (s: string) => {
    let out = s;
    for (const [from, to] of names) out = out.split(from).join(to);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return rename(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [rename(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** The result with run_id → `RUN` and the i-th instance's id → `I<i>` (by the order of `result.instances`). */
export function normaliseResult(result: BacktestResult): BacktestResult {
  const names = new Map<string, string>([[result.run_id, 'RUN']]);
  result.instances.forEach((inst, i) => names.set(inst.instance_id, `I${i}`));
  return renamed(result, names);
}

/** One instance's result with its id → `I` (and the run's id → `RUN`): comparable across runs. */
export function normaliseInstance(inst: InstanceResult, runId: string): InstanceResult {
  return renamed(
    inst,
    new Map([
      [runId, 'RUN'],
      [inst.instance_id, 'I'],
    ]),
  );
}

/** The instance `instanceId` of `result`; throws naming the instances it has otherwise. */
export function instanceOf(result: BacktestResult, instanceId: string): InstanceResult {
  const found = result.instances.find((i) => i.instance_id === instanceId);
  if (!found) throw new Error(`result of run ${result.run_id} has no instance ${instanceId}; it has ${result.instances.map((i) => i.instance_id).join(', ')}`);
  return found;
}
