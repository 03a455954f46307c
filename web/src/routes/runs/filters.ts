// The runs list's filters (status, mode, strategy, text in the name or id), applied in the page, and kept
// in the URL's query (?status=running&q=demo) so a filtered list can be linked to (e.g. from the dashboard).
import type { Run } from '#lib/types.ts';

export const RUN_STATUSES = ['created', 'starting', 'running', 'stopping', 'completed', 'failed', 'stopped'] as const;
export const RUN_MODES = ['backtest', 'live'] as const;

export interface RunFilters {
  status: string;
  mode: string;
  strategy: string;
  q: string;
}

export const NO_FILTERS: RunFilters = { status: '', mode: '', strategy: '', q: '' };

export function isFiltered(f: RunFilters): boolean {
  return f.status !== '' || f.mode !== '' || f.strategy !== '' || f.q.trim() !== '';
}

/** Whether a run passes every filter set (an empty filter lets everything through). */
export function matches(run: Run, f: RunFilters): boolean {
  if (f.status && run.status !== f.status) return false;
  if (f.mode && run.mode !== f.mode) return false;
  if (f.strategy && !run.instances.some((i) => i.strategy === f.strategy)) return false;
  const q = f.q.trim().toLowerCase();
  if (q && !run.id.toLowerCase().includes(q) && !(run.name ?? '').toLowerCase().includes(q)) return false;
  return true;
}

export function filterRuns(runs: readonly Run[], f: RunFilters): Run[] {
  return runs.filter((r) => matches(r, f));
}

/** The strategies the runs use, once each, sorted: the options of the strategy filter. */
export function strategiesOf(runs: readonly Run[]): string[] {
  return [...new Set(runs.flatMap((r) => r.instances.map((i) => i.strategy)))].sort();
}

/** "sma_cross(AAPL, MSFT); breakout(BTC/USD)": a run's instances in one line. */
export function describeInstances(run: Run): string {
  return run.instances.map((i) => `${i.strategy}(${i.symbols.join(', ')})`).join('; ');
}

/** The filters a URL's query asks for; unknown values of the closed lists are ignored. */
export function filtersFromQuery(params: Pick<URLSearchParams, 'get'>): RunFilters {
  const status = params.get('status') ?? '';
  const mode = params.get('mode') ?? '';
  return {
    status: (RUN_STATUSES as readonly string[]).includes(status) ? status : '',
    mode: (RUN_MODES as readonly string[]).includes(mode) ? mode : '',
    strategy: params.get('strategy') ?? '',
    q: params.get('q') ?? '',
  };
}

/** The query for the filters ('' when none is set, else '?…'). */
export function filtersToQuery(f: RunFilters): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.mode) q.set('mode', f.mode);
  if (f.strategy) q.set('strategy', f.strategy);
  if (f.q.trim()) q.set('q', f.q.trim());
  const s = q.toString();
  return s ? `?${s}` : '';
}
