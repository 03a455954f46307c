// /backtests: the latest runs (GET /runs?limit=200), of which the page lists the finished backtests to
// compare. The selection lives in the URL (?runs=id1,id2), read by the page, not here, so ticking a run
// does not reload the list. Re-run with invalidate(_backtestsKey) when a run ends.
import { api } from '#lib/api.ts';
import type { Run } from '#lib/types.ts';
import type { PageLoad } from './$types';

export const _backtestsKey = 'weaver:backtests';

export interface BacktestsPageData {
  runs: Run[];
  error: string | null;
}

export const load: PageLoad = async ({ fetch, depends }): Promise<BacktestsPageData> => {
  depends(_backtestsKey);
  try {
    const { items } = await api<{ items: Run[] }>('/runs?limit=200', { fetch });
    return { runs: items.filter((r) => r.mode === 'backtest' && (r.status === 'completed' || r.status === 'stopped')), error: null };
  } catch (error) {
    return { runs: [], error: (error as Error).message };
  }
};
