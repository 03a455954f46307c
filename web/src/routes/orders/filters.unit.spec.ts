// The orders page's filters: from the URL and back (only what is set, trimmed), and into GET /orders's
// query with whole days in the browser's zone (from: the day's first millisecond, to: its last).
import { describe, expect, it } from 'vitest';
import { apiQuery, fromSearch, isFiltered, localDay, NO_FILTERS, toSearch } from './filters.ts';

describe('order filters', () => {
  it('round-trip through the URL, leaving out what is not set', () => {
    const f = { ...NO_FILTERS, run_id: '01a2155f-91e1-71f0-93e2-7b2b3e5ca1ca', symbol: ' DEMO_ACME ', from: '2025-12-27' };
    const search = toSearch(f);
    expect(search).toBe('?run_id=01a2155f-91e1-71f0-93e2-7b2b3e5ca1ca&symbol=DEMO_ACME&from=2025-12-27');
    expect(fromSearch(new URLSearchParams(search))).toEqual({ ...f, symbol: 'DEMO_ACME' });
    expect(toSearch(NO_FILTERS)).toBe('');
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, status: 'filled' })).toBe(true);
  });

  it('ignore parameters that are no filter', () => {
    expect(fromSearch(new URLSearchParams('cursor=abc&strategy=sma_cross'))).toEqual({ ...NO_FILTERS, strategy: 'sma_cross' });
  });

  it('turn local days into an inclusive range of instants', () => {
    const from = new Date(localDay('2025-12-27'));
    expect([from.getFullYear(), from.getMonth(), from.getDate(), from.getHours(), from.getMinutes(), from.getMilliseconds()]).toEqual([2025, 11, 27, 0, 0, 0]);
    const to = new Date(localDay('2025-12-31', true));
    expect([to.getFullYear(), to.getMonth(), to.getDate(), to.getHours(), to.getMinutes(), to.getSeconds(), to.getMilliseconds()]).toEqual([2025, 11, 31, 23, 59, 59, 999]);
    expect(localDay('yesterday')).toBe('yesterday'); // the API says what is wrong with it
  });

  it('make the API query with only the filters that are set', () => {
    const q = apiQuery({ ...NO_FILTERS, strategy: 'sma_cross', to: '2025-12-31' });
    expect(q).toEqual({ run_id: undefined, strategy: 'sma_cross', symbol: undefined, status: undefined, from: undefined, to: localDay('2025-12-31', true) });
    expect(q.to).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
