// The orders page's loaded range: Load more reads on from the last cursor and knows when it has reached the
// end; a live refresh reads the same range again (changed statuses show), follows on to new rows only when
// the range had reached the end, and then no further than LIVE_MAX. The source is an in-memory model of
// GET /orders (commit order, a cursor per row, a page shorter than its limit at the end).
import { describe, expect, it } from 'vitest';
import type { Order, Page } from '#lib/types.ts';
import { LIVE_MAX, nextPage, NOTHING, reread, type FetchOrders } from './paging.ts';

function order(n: number, status = 'new'): Order {
  return { order_id: `o${String(n).padStart(5, '0')}`, run_id: 'r', instance_id: 'i', strategy: 's', symbol: 'X', side: 'buy', type: 'market', qty: 1, limit_price: null, stop_price: null, status, filled_qty: 0, avg_fill_price: null, reason: null, decided_at: '2025-01-01T00:00:00.000Z', created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' };
}

function source(rows: Order[]) {
  const limits: number[] = [];
  const fetch: FetchOrders = async (cursor, limit) => {
    limits.push(limit);
    const start = cursor === null ? 0 : rows.findIndex((o) => o.order_id === cursor) + 1;
    const items = rows.slice(start, start + limit).map((o) => ({ ...o }));
    const page: Page<Order> = { items, next_cursor: items.length ? items[items.length - 1]!.order_id : null };
    return page;
  };
  return { fetch, limits };
}

const ids = (os: Order[]) => os.map((o) => o.order_id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => order(from + k));

describe('nextPage', () => {
  it('reads page after page from the last cursor, and says when there is no more', async () => {
    const { fetch } = source(range(1, 250));
    let loaded = await nextPage(fetch, NOTHING);
    expect(loaded.items).toHaveLength(100);
    expect(loaded.more).toBe(true);
    loaded = await nextPage(fetch, loaded);
    loaded = await nextPage(fetch, loaded);
    expect(ids(loaded.items)).toEqual(ids(range(1, 250)));
    expect(loaded.more).toBe(false);
    expect(loaded.cursor).toBe('o00250');
  });

  it('keeps the last cursor when a page comes back empty', async () => {
    const { fetch } = source(range(1, 100));
    const full = await nextPage(fetch, NOTHING);
    const after = await nextPage(fetch, full);
    expect(after.items).toHaveLength(100);
    expect(after.cursor).toBe('o00100');
    expect(after.more).toBe(false);
  });
});

describe('reread', () => {
  it('in the middle of the list: the same rows again with their new statuses, and no new ones', async () => {
    const rows = range(1, 300);
    const { fetch, limits } = source(rows);
    const loaded = await nextPage(fetch, await nextPage(fetch, NOTHING));
    rows[5] = order(6, 'filled');
    rows.push(order(301));
    limits.length = 0;
    const again = await reread(fetch, loaded);
    expect(ids(again.items)).toEqual(ids(range(1, 200)));
    expect(again.items[5]!.status).toBe('filled');
    expect(again.more).toBe(true);
    expect(limits).toEqual([200]); // one request for the whole range
    // Load more still reads on after the range.
    const more = await nextPage(fetch, again);
    expect(ids(more.items).slice(-1)).toEqual(['o00300']);
  });

  it('at the end of the list: follows on to new rows', async () => {
    const rows = range(1, 30);
    const { fetch } = source(rows);
    const loaded = await nextPage(fetch, NOTHING);
    expect(loaded.more).toBe(false);
    rows.push(...range(31, 45));
    const again = await reread(fetch, loaded);
    expect(ids(again.items)).toEqual(ids(range(1, 45)));
    expect(again.more).toBe(false);
  });

  it('at the end of a fast-growing list: follows on no further than LIVE_MAX rows, then offers Load more', async () => {
    const rows = range(1, 10);
    const { fetch } = source(rows);
    const loaded = await nextPage(fetch, NOTHING);
    rows.push(...range(11, LIVE_MAX + 300));
    const again = await reread(fetch, loaded);
    expect(again.items).toHaveLength(LIVE_MAX);
    expect(again.more).toBe(true);
    expect(again.cursor).toBe(again.items.at(-1)!.order_id);
  });

  it('an empty list stays empty and at its end', async () => {
    const { fetch } = source([]);
    const again = await reread(fetch, await nextPage(fetch, NOTHING));
    expect(again).toEqual({ items: [], cursor: null, more: false });
  });
});
