// The loaded range of the orders page: GET /orders pages in commit order from the oldest row, and a page
// shorter than its limit means everything committed so far has been read. "Load more" reads on from the
// last cursor; a live refresh reads the loaded range again from the start (statuses and fills change rows
// in place), and when the range had reached the end it follows on, up to LIVE_MAX rows, so new orders show.
import type { Order, Page } from '#lib/types.ts';

export type FetchOrders = (cursor: string | null, limit: number) => Promise<Page<Order>>;

export interface Loaded {
  items: Order[];
  /** The last next_cursor seen (null before the first row). */
  cursor: string | null;
  /** The last page was full: there may be more. */
  more: boolean;
}

export const PAGE = 100;
const MAX_LIMIT = 1000;
export const LIVE_MAX = 500;

export const NOTHING: Loaded = { items: [], cursor: null, more: true };

/** The next page after what is loaded (the first page when nothing is). */
export async function nextPage(fetch: FetchOrders, loaded: Loaded, size = PAGE): Promise<Loaded> {
  const page = await fetch(loaded.cursor, size);
  return { items: [...loaded.items, ...page.items], cursor: page.next_cursor ?? loaded.cursor, more: page.items.length === size };
}

/** The loaded range read again: at least as many rows as before, and on to the end (LIVE_MAX rows at most) when it had reached it. */
export async function reread(fetch: FetchOrders, loaded: Loaded, size = PAGE): Promise<Loaded> {
  const want = loaded.more ? loaded.items.length : Math.max(loaded.items.length, LIVE_MAX);
  let next: Loaded = { items: [], cursor: null, more: true };
  while (next.more && (next.items.length < want || next.items.length === 0)) {
    next = await nextPage(fetch, next, Math.min(MAX_LIMIT, Math.max(size, want - next.items.length)));
  }
  return next;
}
