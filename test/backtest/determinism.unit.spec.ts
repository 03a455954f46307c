// Same inputs, same outputs (DESIGN §7): a backtest run twice from fresh specs (new run and instance ids,
// the same data and parameters) gives the same orders, fills, equity curve, statistics and trades once
// the random ids are normalised; and the synchronous bus and the memory EventLog (the consumer algorithm
// of Postgres: offsets, batches, snapshots) give the same result. The Postgres half of the transport
// parity lives with the Postgres runner's tests.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBars, DEMO_SYMBOLS } from '../../runtime/data/demo.ts';
import { runInMemory } from '../../runtime/backtest/kernel.ts';
import type { BacktestResult } from '../../runtime/backtest/result.ts';
import { memorySource, normaliseResult, quickSpec, registerTestStrategies, type QuickRequest } from '../helpers/backtest.ts';

// A day of 1m demo bars (1,440 a symbol): three clock batches, and an equity curve sampled per bar.
const acme = generateDemoBars(DEMO_SYMBOLS[0]!, { seed: 7, days: 1 });
const globex = generateDemoBars(DEMO_SYMBOLS[1]!, { seed: 7, days: 1 });
const source = memorySource({ ACME: acme, GLOBEX: globex }, '1m');

const CASES: Record<string, QuickRequest> = {
  'sma_cross and breakout on two symbols, commission and slippage': {
    strategy: 'sma_cross',
    symbols: ['ACME', 'GLOBEX'],
    params: { fast: 5, slow: 20, qty: 3 },
    more: [{ strategy: 'breakout', symbols: ['GLOBEX'], params: { entry: 30, exit: 15, qty: 2 } }],
    commissionRate: 0.001,
    commissionMinimum: 1,
    slippageBps: 5,
  },
  'test_peek (market, limit, stop orders and cancels) at the close with a volume cap': {
    strategy: 'test_peek',
    symbols: ['ACME', 'GLOBEX'],
    params: { seed: 11, rate: 0.2, qty: 3 },
    fill: 'close',
    volumeCap: 0.001,
    commissionPerShare: 0.01,
  },
};

async function run(request: QuickRequest, transport: 'bus' | 'eventlog'): Promise<BacktestResult> {
  const spec = await quickSpec(source, { timeframe: '1m', cash: 100_000, ...request });
  return runInMemory(spec, source, { transport });
}

/** Enough happened for a comparison to mean something. */
function expectActivity(result: BacktestResult): void {
  expect(result.status).toBe('completed');
  for (const inst of result.instances) {
    expect(inst.status).toBe('completed');
    expect(inst.fills.length, `${inst.strategy} fills`).toBeGreaterThan(4);
    expect(inst.trades.length, `${inst.strategy} trades`).toBeGreaterThan(1);
    expect(inst.equity).toMatchObject({ sampling: 'bar' });
    expect(inst.equity.t.length).toBeGreaterThan(1000);
  }
}

beforeAll(registerTestStrategies);

describe.each(Object.entries(CASES))('%s', (_name, request) => {
  it('twice from fresh specs: identical results but for the random ids', async () => {
    const a = await run(request, 'bus');
    const b = await run(request, 'bus');
    expectActivity(a);
    if (request.volumeCap) {
      // The cap splits orders into several fills: the comparison covers partial fills too.
      const fillsPerOrder = Map.groupBy(a.instances[0]!.fills, (f) => f.order_id);
      expect([...fillsPerOrder.values()].some((fs) => fs.length > 1)).toBe(true);
    }
    expect(b.run_id).not.toBe(a.run_id);
    expect(b.instances[0]!.instance_id).not.toBe(a.instances[0]!.instance_id);
    expect(normaliseResult(b)).toEqual(normaliseResult(a));
  });

  it('the bus and the memory EventLog give identical results', async () => {
    const bus = await run(request, 'bus');
    const log = await run(request, 'eventlog');
    expectActivity(log);
    expect(normaliseResult(log)).toEqual(normaliseResult(bus));
  });
});
