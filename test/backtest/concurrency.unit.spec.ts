// Instances of one run do not disturb each other: each is its own account, its own Marvin and its own
// book at Greta, and the clock paces them together. So an instance's result in a run of four (two
// strategies, two parameter sets, two symbols) is exactly its result when it runs alone; and a strategy
// that throws fails its own instance only (named, with the bar), while the others finish as if alone and
// the run ends `failed`, listing the failed instance.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SYMBOLS, generateDemoBars } from '../../runtime/data/demo.ts';
import { runInMemory } from '../../runtime/backtest/kernel.ts';
import type { BacktestResult } from '../../runtime/backtest/result.ts';
import type { RunSpec } from '../../protocol/run.ts';
import { instanceOf, memorySource, quickSpec, registerTestStrategies, soloSpec } from '../helpers/backtest.ts';

// A day of 1m demo bars, both symbols on the same minutes: a solo run has the same ticks (and bar
// indices) as the shared run, though the clock batches them differently (1,000 ticks for one symbol, 500
// for two), so batch boundaries fall elsewhere.
const acme = generateDemoBars(DEMO_SYMBOLS[0]!, { seed: 3, days: 1 });
const globex = generateDemoBars(DEMO_SYMBOLS[1]!, { seed: 3, days: 1 });
const source = memorySource({ ACME: acme, GLOBEX: globex }, '1m');

const base = { timeframe: '1m', cash: 50_000, commissionRate: 0.0005, slippageBps: 2 } as const;

/** Run each instance of `spec` alone (same ids) and return its result by instance id. */
async function soloResults(spec: RunSpec): Promise<Map<string, BacktestResult>> {
  const out = new Map<string, BacktestResult>();
  for (let i = 0; i < spec.instances.length; i++) out.set(spec.instances[i]!.instance_id, await runInMemory(soloSpec(spec, i), source));
  return out;
}

beforeAll(registerTestStrategies);

describe('four instances over two symbols in one run', () => {
  let spec: RunSpec;
  let solo: Map<string, BacktestResult>;

  beforeAll(async () => {
    spec = await quickSpec(source, {
      ...base,
      strategy: 'sma_cross',
      symbols: ['ACME'],
      params: { fast: 5, slow: 20, qty: 4 },
      more: [
        { strategy: 'sma_cross', symbols: ['GLOBEX'], params: { fast: 8, slow: 40, qty: 10 } },
        { strategy: 'breakout', symbols: ['ACME'], params: { entry: 30, exit: 15, qty: 3 } },
        { strategy: 'breakout', symbols: ['GLOBEX'], params: { entry: 20, exit: 10, qty: 7 } },
      ],
    });
    solo = await soloResults(spec);
    for (const [id, r] of solo) {
      expect(r.status, `solo run of ${id}`).toBe('completed');
      expect(instanceOf(r, id).fills.length, `solo fills of ${id}`).toBeGreaterThan(4);
    }
  });

  for (const transport of ['bus', 'eventlog'] as const) {
    it(`gives each instance exactly its solo result (${transport})`, async () => {
      const shared = await runInMemory(spec, source, { transport });
      expect(shared.status).toBe('completed');
      expect(shared.error).toBeNull();
      expect(shared.instances.map((i) => i.instance_id)).toEqual(spec.instances.map((i) => i.instance_id));
      for (const inst of shared.instances) {
        expect(inst.status).toBe('completed');
        expect(inst, `${inst.strategy} ${JSON.stringify(inst.params)} on ${inst.symbols.join(',')}`).toEqual(instanceOf(solo.get(inst.instance_id)!, inst.instance_id));
      }
      // The instances really differ (a mix-up of accounts would not go unnoticed).
      expect(new Set(shared.instances.map((i) => i.final_equity)).size).toBe(4);
    });
  }
});

describe('a strategy that throws', () => {
  // from_bar 0: it throws on its very first bar; 700: mid-run, past the first clock batch (500 ticks).
  for (const fromBar of [0, 700]) {
    for (const transport of ['bus', 'eventlog'] as const) {
      it(`from bar ${fromBar} fails its own instance only, and the run (${transport})`, async () => {
        const spec = await quickSpec(source, {
          ...base,
          strategy: 'test_throws',
          symbols: ['ACME'],
          params: { from_bar: fromBar },
          more: [{ strategy: 'sma_cross', symbols: ['GLOBEX'], params: { fast: 5, slow: 20, qty: 4 } }],
        });
        const [thrower, normal] = spec.instances as [RunSpec['instances'][0], RunSpec['instances'][0]];
        const alone = await runInMemory(soloSpec(spec, 1), source);

        const result = await runInMemory(spec, source, { transport });

        const failed = instanceOf(result, thrower.instance_id);
        expect(failed.status).toBe('failed');
        const at = new Date(acme.t[fromBar]!).toISOString();
        expect(failed.error?.code).toBe('strategy_error');
        expect(failed.error?.message).toBe(`strategy test_throws threw on bar ${fromBar} (${at}): test_throws fails on purpose at bar ${fromBar}`);
        expect(failed.fills).toEqual([]);
        expect(failed.final_equity).toBe(base.cash);

        const ok = instanceOf(result, normal.instance_id);
        expect(ok.status).toBe('completed');
        expect(ok.fills.length).toBeGreaterThan(4);
        expect(ok).toEqual(instanceOf(alone, normal.instance_id));

        expect(result.status).toBe('failed');
        expect(result.error?.code).toBe('strategy_failed');
        expect(result.error?.message).toContain(`1 of 2 strategy instance(s) failed: ${thrower.instance_id}: strategy test_throws threw on bar ${fromBar}`);
        expect(result.error?.details).toEqual({ failed: [thrower.instance_id] });
      });
    }
  }
});
