// The runs list: the latest 200 runs (GET /runs?limit=200), newest first. The page re-runs this with
// invalidate(_RUNS_KEY) when a ui.RunStatus event arrives; a failure is data (shown in place), not a thrown
// error, so the list and its filters stay on screen.
import { api } from '#lib/api.ts';
import type { Run } from '#lib/types.ts';
import type { PageLoad } from './$types';

export const _RUNS_KEY = 'weaver:runs';
export const _LIMIT = 200;

export interface RunsPageData {
  runs: Run[];
  error: string | null;
}

export const load: PageLoad = async ({ fetch, depends }): Promise<RunsPageData> => {
  depends(_RUNS_KEY);
  try {
    const { items } = await api<{ items: Run[] }>(`/runs?limit=${_LIMIT}`, { fetch });
    return { runs: items, error: null };
  } catch (error) {
    return { runs: [], error: error instanceof Error ? error.message : String(error) };
  }
};
