// Properties of the fill engine over random bars, orders and fill specs: fills stay inside their bar,
// never come on or before the deciding bar, and a fill changes equity (marked at the fill price) by
// exactly its fee: cash + Σ position × price is conserved.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchBar, newBook, submit } from '../../actors/greta/fill-engine.ts';
import { applyFill, equity, newAccount } from '../../actors/greta/portfolio.ts';
import type { Bar } from '../../protocol/market.ts';
import type { OrderRequest } from '../../protocol/orders.ts';
import type { FillSpec } from '../../protocol/run.ts';

const SYMBOLS = ['AAPL', 'BTC/USD'];

/** A fraction in [min, max] in steps of 1e-4 (fc.double dwells on its bounds; this spreads out). */
const fraction = (min: number, max: number) => fc.integer({ min: Math.round(min * 1e4), max: Math.round(max * 1e4) }).map((x) => x / 1e4);

/** A random walk: moves relative to the symbol's previous close, so orders priced off it interact. */
const barArb = fc.record({
  symbol: fc.integer({ min: 0, max: 1 }),
  gap: fraction(-0.03, 0.03),
  move: fraction(-0.03, 0.03),
  up: fraction(0, 0.03),
  down: fraction(0, 0.03),
  volume: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 })),
});

const orderArb = fc.record({
  symbol: fc.integer({ min: 0, max: 1 }),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  type: fc.constantFrom('market' as const, 'limit' as const, 'stop' as const, 'stop_limit' as const),
  qty: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0.001, max: 5, noNaN: true })),
  /** Price offsets from the symbol's last close. */
  a: fraction(-0.04, 0.04),
  b: fraction(-0.04, 0.04),
});

const specArb: fc.Arbitrary<FillSpec> = fc.record({
  model: fc.constantFrom('next_open' as const, 'close' as const),
  slippage_bps: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 200, noNaN: true })),
  commission: fc.record({
    rate: fc.double({ min: 0, max: 0.01, noNaN: true }),
    per_share: fc.double({ min: 0, max: 0.05, noNaN: true }),
    minimum: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2, noNaN: true })),
  }),
  volume_cap: fc.oneof(fc.constant(null), fc.double({ min: 0.01, max: 1, noNaN: true })),
});

describe('matchBar, for random bars and orders', () => {
  it('fills inside the bar, only after the deciding bar, changing equity by the fee alone', () => {
    let totalFills = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(barArb, fc.array(orderArb, { maxLength: 3 })), { minLength: 1, maxLength: 40 }),
        specArb,
        fc.double({ min: 100, max: 100_000, noNaN: true }),
        (steps, spec, cash) => {
          const book = newBook();
          const account = newAccount(cash);
          const lastClose = [100, 100];
          let seq = 0;
          let fills = 0;
          steps.forEach(([raw, newOrders], barIndex) => {
            // Orders decided on this bar are in the book before it is matched: the engine must hold them back.
            for (const o of newOrders) submit(book, randomOrder(o, `o${seq++}`, barIndex, lastClose[o.symbol]!));
            const open = lastClose[raw.symbol]! * (1 + raw.gap);
            const close = open * (1 + raw.move);
            const b: Bar = {
              symbol: SYMBOLS[raw.symbol]!,
              ts: barIndex * 60_000,
              open,
              close,
              high: Math.max(open, close) * (1 + raw.up),
              low: Math.min(open, close) * (1 - raw.down),
              volume: raw.volume,
            };
            lastClose[raw.symbol] = close;
            const replay = structuredClone(account);
            const events = matchBar(book, b, barIndex, spec, account);
            for (const e of events) {
              expect(e.order.request.symbol).toBe(b.symbol);
              expect(e.order.request.bar_index).toBeLessThan(barIndex);
              if (e.kind === 'rejected') continue;
              expect(e.price).toBeGreaterThanOrEqual(b.low);
              expect(e.price).toBeLessThanOrEqual(b.high);
              expect(e.qty).toBeGreaterThan(0);
              fills++;
              expect(e.order.filled_qty).toBeLessThanOrEqual(e.order.request.qty);
              // Conservation: mark the filled symbol at the fill price, any other at a fixed 77.
              const mark = (s: string) => (s === b.symbol ? e.price : 77);
              const before = equity(replay, mark);
              applyFill(replay, e.order.request.side, b.symbol, e.qty, e.price, e.fee);
              const after = equity(replay, mark);
              expect(after - before).toBeCloseTo(-e.fee, 6);
            }
            // The engine applied exactly the fills it reported, in that order.
            expect(account).toEqual(replay);
          });
          totalFills += fills;
        },
      ),
      { numRuns: 300 },
    );
    // The generators make orders that fill, not only ones that rest.
    expect(totalFills).toBeGreaterThan(300);
  });
});

function randomOrder(o: OrderArb, id: string, barIndex: number, lastClose: number): OrderRequest {
  const p1 = lastClose * (1 + o.a);
  const p2 = lastClose * (1 + o.b);
  return {
    order_id: id,
    run_id: 'r',
    instance_id: 'i',
    symbol: SYMBOLS[o.symbol]!,
    side: o.side,
    qty: o.qty,
    type: o.type,
    limit_price: o.type === 'limit' || o.type === 'stop_limit' ? p1 : null,
    stop_price: o.type === 'stop' ? p1 : o.type === 'stop_limit' ? p2 : null,
    decided_at: new Date(barIndex * 60_000).toISOString(),
    bar_index: barIndex,
  };
}

type OrderArb = typeof orderArb extends fc.Arbitrary<infer T> ? T : never;
