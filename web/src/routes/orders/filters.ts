// The orders page's filters, kept in the page's URL (so a filtered view can be linked and survives a reload)
// and turned into GET /orders's query. Dates are whole days in the browser's zone: from is the start of
// its day, to the end of its day (the API's bounds are inclusive, on the order's decision time).
export interface OrderFilters {
  run_id: string;
  strategy: string;
  symbol: string;
  status: string;
  /** YYYY-MM-DD, a day in the browser's zone, or ''. */
  from: string;
  to: string;
}

export const KEYS = ['run_id', 'strategy', 'symbol', 'status', 'from', 'to'] as const;
export const NO_FILTERS: OrderFilters = { run_id: '', strategy: '', symbol: '', status: '', from: '', to: '' };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function fromSearch(params: { get(key: string): string | null }): OrderFilters {
  const f = { ...NO_FILTERS };
  for (const k of KEYS) f[k] = (params.get(k) ?? '').trim();
  return f;
}

/** '?run_id=…&…' with the filters that are set, or ''. */
export function toSearch(f: OrderFilters): string {
  const q = new URLSearchParams();
  for (const k of KEYS) if (f[k].trim()) q.set(k, f[k].trim());
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const isFiltered = (f: OrderFilters) => KEYS.some((k) => f[k].trim() !== '');

/** The start (or, with `end`, the last millisecond) of a local day as an ISO timestamp; a non-date passes as it is (the API says what is wrong). */
export function localDay(day: string, end = false): string {
  const m = DAY.exec(day);
  if (!m) return day;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (end ? 1 : 0));
  return new Date(d.getTime() - (end ? 1 : 0)).toISOString();
}

/** GET /orders's query parameters for these filters (empty ones left out). */
export function apiQuery(f: OrderFilters): Record<string, string | undefined> {
  const set = (s: string) => s.trim() || undefined;
  return {
    run_id: set(f.run_id),
    strategy: set(f.strategy),
    symbol: set(f.symbol),
    status: set(f.status),
    from: f.from.trim() ? localDay(f.from.trim()) : undefined,
    to: f.to.trim() ? localDay(f.to.trim(), true) : undefined,
  };
}
