// A run's page: the run (GET /runs/:id) and its results so far (GET /backtests/:run_id: statistics, equity,
// orders and fills per instance, one snapshot). The page re-runs this with invalidate(_runKey(id)) when
// the run's ui.* events arrive. A missing run is data, not a thrown error, so the page can say so in place.
import { ApiError, api } from '#lib/api.ts';
import type { BacktestResult, Run } from '#lib/types.ts';
import type { PageLoad } from './$types';

export const _runKey = (id: string): `${string}:${string}` => `weaver:run:${id}`;

export interface RunPageData {
  id: string;
  run: Run | null;
  result: BacktestResult | null;
  notFound: boolean;
  error: string | null;
}

export const load: PageLoad = async ({ params, fetch, depends }): Promise<RunPageData> => {
  depends(_runKey(params.id));
  const path = encodeURIComponent(params.id);
  const [run, result] = await Promise.allSettled([api<Run>(`/runs/${path}`, { fetch }), api<BacktestResult>(`/backtests/${path}`, { fetch })]);
  if (run.status === 'rejected') {
    const error = run.reason as unknown;
    const notFound = error instanceof ApiError && (error.status === 404 || (error.status === 422 && error.code !== 'unreachable'));
    return { id: params.id, run: null, result: null, notFound, error: error instanceof Error ? error.message : String(error) };
  }
  return {
    id: params.id,
    run: run.value,
    result: result.status === 'fulfilled' ? result.value : null,
    notFound: false,
    error: result.status === 'rejected' ? `the results could not be read: ${(result.reason as Error).message}` : null,
  };
};
