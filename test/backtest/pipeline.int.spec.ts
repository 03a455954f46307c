import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateDemoBars, demoSymbols } from '../../runtime/data/demo.ts';
import { parseCandleCsv } from '../../runtime/data/csv.ts';
import { runInMemory } from '../../runtime/backtest/kernel.ts';
import { buildRunSpec, fitToData } from '../../runtime/backtest/spec.ts';
import { createPostgresCandleSource } from '../../runtime/market-data/postgres.ts';
import { normaliseResult, registerTestStrategies, soloSpec, normaliseInstance, instanceOf } from '../helpers/backtest.ts';
import { usePipeline } from './pipeline-harness.ts';

// The full actor pipeline on Postgres against the memory kernel: the same results to the last digit, for
// the reference case, for several instances at once, and across crashes of Marvin's and Greta's workers.
registerTestStrategies();
const pipeline = usePipeline();
const REFERENCE = new URL('../../../shared/data/backtrader/2006-day-001.txt', import.meta.url);

const demo = (i: number, days: number) => {
  const sym = demoSymbols({ symbols: 3 })[i]!;
  return { symbol: sym.symbol, columns: generateDemoBars(sym, { seed: 7, days }) };
};

describe('the backtest pipeline on Postgres', () => {
  it.skipIf(!existsSync(REFERENCE))('reproduces backtrader on the reference file, and equals the memory kernel', async () => {
    const p = pipeline();
    const parsed = parseCandleCsv(readFileSync(REFERENCE, 'utf8'), { timeframe: '1d' });
    await p.write('BT2006', '1d', parsed.columns);
    const source = createPostgresCandleSource(p.pool);
    const spec = await fitToData(buildRunSpec({ strategy: 'sma_cross', symbols: ['BT2006'], timeframe: '1d', params: { fast: 1, slow: 15, qty: 1 }, cash: 10_000 }), source);
    const result = await p.run(spec);
    expect(result.status).toBe('completed');
    const i = result.instances[0]!;
    expect(i.final_equity.toFixed(2)).toBe('10284.10');
    expect(i.cash.toFixed(2)).toBe('6164.16');
    expect(i.fills).toHaveLength(23);
    expect(i.fills[0]).toMatchObject({ time: '2006-01-27T00:00:00.000Z', side: 'buy', qty: 1, price: 3643.35, fee: 0 });
    const kernel = await runInMemory(spec, source);
    expect(normaliseResult(result)).toEqual(normaliseResult(kernel));
  }, 60_000);

  it('runs 4 instances over 2 symbols at once, each equal to its solo run, beside a failing strategy', async () => {
    const p = pipeline();
    const a = demo(0, 1);
    const b = demo(1, 1);
    await p.write(a.symbol, '1m', a.columns);
    await p.write(b.symbol, '1m', b.columns);
    const source = createPostgresCandleSource(p.pool);
    const spec = await fitToData(
      buildRunSpec({
        strategy: 'sma_cross',
        symbols: [a.symbol],
        timeframe: '1m',
        params: { fast: 20, slow: 80 },
        cash: 100_000,
        more: [
          { strategy: 'breakout', symbols: [a.symbol], params: { entry: 60, exit: 30 } },
          { strategy: 'sma_cross', symbols: [b.symbol], params: { fast: 30, slow: 120 } },
          { strategy: 'breakout', symbols: [b.symbol], params: { entry: 40, exit: 20 } },
        ],
      }),
      source,
    );
    const failing = await fitToData(buildRunSpec({ strategy: 'test_throws', symbols: [a.symbol], timeframe: '1m', params: { from_bar: 100 } }), source);
    const [together, bad] = await Promise.all([p.run(spec), p.run(failing)]);
    expect(together.status).toBe('completed');
    expect(bad.status).toBe('failed');
    expect(bad.instances[0]!.status).toBe('failed');
    expect(bad.instances[0]!.error?.message).toMatch(/strategy test_throws threw on bar 100/);
    expect(bad.error?.message).toContain(bad.instances[0]!.instance_id);
    for (let k = 0; k < 4; k++) {
      const inst = spec.instances[k]!;
      const solo = await runInMemory(soloSpec(spec, k), source);
      const fills = instanceOf(together, inst.instance_id).fills.length;
      expect(fills, `instance ${k} trades`).toBeGreaterThan(0);
      expect(normaliseInstance(instanceOf(together, inst.instance_id), spec.run_id)).toEqual(normaliseInstance(instanceOf(solo, inst.instance_id), spec.run_id));
    }
  }, 120_000);

  for (const victim of ['marvin', 'greta'] as const) {
    it(`gives the undisturbed result when ${victim}'s worker is killed several times during the run`, async () => {
      const p = pipeline();
      const c = demo(2, 3);
      await p.write(c.symbol, '1m', c.columns);
      const source = createPostgresCandleSource(p.pool);
      const spec = await fitToData(buildRunSpec({ strategy: 'sma_cross', symbols: [c.symbol], timeframe: '1m', params: { fast: 5, slow: 20 }, cash: 100_000 }), source);
      const expected = await runInMemory(spec, source);
      const actorId = victim === 'marvin' ? `marvin:${spec.instances[0]!.instance_id}` : 'greta';
      let kills = 0;
      let busy = false;
      const running = p.run(spec, (done) => {
        // Kill at about a quarter, a half and three quarters of the bars.
        if (busy || kills >= 3 || done < ((kills + 1) * c.columns.t.length) / 4) return;
        busy = true;
        void p.supervisor.crashWorker(actorId).then((killed) => {
          if (killed) kills++;
          busy = false;
        });
      });
      const result = await running;
      expect(kills, `${actorId} killed during the run`).toBeGreaterThanOrEqual(2);
      expect(result.status).toBe('completed');
      expect(normaliseResult(result)).toEqual(normaliseResult(expected));
    }, 180_000);
  }
});
