// The backtrader reference case on the memory kernel: sma_cross fast=1 slow=15 qty=1 over backtrader's
// 2006-day-001.txt (tests/test_strategy_unoptimized.py: SMA(15) crossover, market orders at the next
// open, 10,000 cash, no commission) must end where backtrader ends, to the cent: value 10284.10, cash
// 6164.16, 23 orders executed, the first a buy of 1 on 2006-01-27 at 3643.35. Both transports.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCandleCsv } from '../../runtime/data/csv.ts';
import { runInMemory } from '../../runtime/backtest/kernel.ts';
import { memorySource, quickSpec } from '../helpers/backtest.ts';

const FILE = '/work/shared/data/backtrader/2006-day-001.txt';
const present = existsSync(FILE);
if (!present) console.warn(`reference.unit.spec.ts: skipped, ${FILE} is missing (backtrader's tests/datas/2006-day-001.txt)`);

describe.skipIf(!present)(`the backtrader reference case (${FILE})`, () => {
  for (const transport of ['bus', 'eventlog'] as const) {
    it(`sma_cross fast=1 slow=15 ends at backtrader's value and cash to the cent (${transport})`, async () => {
      const { columns } = parseCandleCsv(readFileSync(FILE, 'utf8'), { timeframe: '1d' });
      const source = memorySource({ REF: columns });
      const spec = await quickSpec(source, { strategy: 'sma_cross', symbols: ['REF'], params: { fast: 1, slow: 15, qty: 1 }, cash: 10_000, fill: 'next_open' });
      expect(spec.fill.commission).toEqual({ rate: 0, per_share: 0, minimum: 0 });

      const result = await runInMemory(spec, source, { transport });

      expect(result.status).toBe('completed');
      const [inst] = result.instances;
      expect(inst!.status).toBe('completed');
      expect(inst!.final_equity.toFixed(2)).toBe('10284.10');
      expect(inst!.cash.toFixed(2)).toBe('6164.16');
      expect(inst!.fills).toHaveLength(23);
      const first = inst!.fills[0]!;
      expect({ side: first.side, qty: first.qty, time: first.time, price: first.price }).toEqual({ side: 'buy', qty: 1, time: '2006-01-27T00:00:00.000Z', price: 3643.35 });
      // backtrader's alternating buy/sell: long-only, one order at a time.
      inst!.fills.forEach((f, i) => expect(f.side).toBe(i % 2 === 0 ? 'buy' : 'sell'));
    });
  }
});
