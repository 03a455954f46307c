import { describe, expect, it } from 'vitest';
import { makeEvent, RunStopRequested, type Fill } from '../../protocol/index.ts';
import { runInMemory } from '../../runtime/backtest/kernel.ts';
import { demoSymbols, generateDemoBars } from '../../runtime/data/demo.ts';
import { memorySource, quickSpec } from '../helpers/backtest.ts';

// A run stopped part-way: every strategy stops where it is (not at the end of the ticks the clock had
// already sent), the venue settles what it has, and the run ends `stopped` with its results so far.
describe('stopping a backtest', () => {
  for (const transport of ['bus', 'eventlog'] as const) {
    it(`ends the run stopped, each instance stopped with its results up to then (${transport})`, async () => {
      const sym = demoSymbols()[0]!;
      const source = memorySource({ [sym.symbol]: generateDemoBars(sym, { seed: 3, days: 20 }) }, '1m');
      const spec = await quickSpec(source, { strategy: 'sma_cross', symbols: [sym.symbol], timeframe: '1m', params: { fast: 10, slow: 40 }, more: [{ strategy: 'breakout', symbols: [sym.symbol], params: { entry: 30, exit: 15 } }] });
      const full = await runInMemory(spec, source);
      let fills = 0;
      let stopAt = -1;
      const stopped = await runInMemory(spec, source, {
        transport,
        onEvent: (e) => {
          if (e.type !== 'orders.Filled' || ++fills !== 20) return;
          stopAt = (e.payload as { fill: Fill }).fill.bar_index;
          return [makeEvent(RunStopRequested, { run_id: spec.run_id, reason: 'test' }, 'test', { run_id: spec.run_id })];
        },
      });
      expect(stopAt).toBeGreaterThan(0);
      expect(stopped.status).toBe('stopped');
      for (const inst of stopped.instances) {
        expect(inst.status).toBe('stopped');
        const whole = full.instances.find((i) => i.instance_id === inst.instance_id)!;
        // Far fewer fills than the whole run (28,800 bars), and the ones there are the same as the whole run's.
        expect(inst.fills.length).toBeLessThan(whole.fills.length / 2);
        expect(inst.fills).toEqual(whole.fills.slice(0, inst.fills.length));
        expect(inst.stats).toHaveProperty('total_return');
      }
    });
  }
});
