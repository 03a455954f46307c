// A run's page: the run (GET /runs/:id), its results so far (GET /backtests/:run_id: statistics, equity,
// orders and fills per instance, one snapshot) and its newest decisions (GET /runs/:id/decisions). The page re-runs this with invalidate(_runKey(id)) when
// the run's ui.* events arrive. A missing run is data, not a thrown error, so the page can say so in place.
import { ApiError, api } from '#lib/api.ts';
import type { BacktestResult, Page, Run } from '#lib/types.ts';
import type { PageLoad } from './$types';

export const _runKey = (id: string): `${string}:${string}` => `weaver:run:${id}`;

/** A strategy's decision on a bar (GET /runs/:id/decisions). */
export interface Decision {
  decision_id: string;
  run_id: string;
  instance_id: string;
  strategy: string | null;
  ts: string;
  bar_index: number;
  action: string;
  reason: string;
  details: Record<string, unknown>;
}

const DECISIONS_PAGE = 100;
export const _decisionsPath = (id: string, cursor?: string | null) =>
  `/runs/${encodeURIComponent(id)}/decisions?order=desc&limit=${DECISIONS_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;

export interface RunPageData {
  id: string;
  run: Run | null;
  result: BacktestResult | null;
  /** The newest decisions (null when they could not be read: decisionsError says why). */
  decisions: Page<Decision> | null;
  decisionsError: string | null;
  notFound: boolean;
  error: string | null;
}

export const load: PageLoad = async ({ params, fetch, depends }): Promise<RunPageData> => {
  depends(_runKey(params.id));
  const path = encodeURIComponent(params.id);
  const [run, result, decisions] = await Promise.allSettled([
    api<Run>(`/runs/${path}`, { fetch }),
    api<BacktestResult>(`/backtests/${path}`, { fetch }),
    api<Page<Decision>>(_decisionsPath(params.id), { fetch }),
  ]);
  if (run.status === 'rejected') {
    const error = run.reason as unknown;
    const notFound = error instanceof ApiError && (error.status === 404 || (error.status === 422 && error.code !== 'unreachable'));
    return { id: params.id, run: null, result: null, decisions: null, decisionsError: null, notFound, error: error instanceof Error ? error.message : String(error) };
  }
  return {
    id: params.id,
    run: run.value,
    result: result.status === 'fulfilled' ? result.value : null,
    decisions: decisions.status === 'fulfilled' ? decisions.value : null,
    decisionsError: decisions.status === 'rejected' ? `the decisions could not be read: ${(decisions.reason as Error).message}` : null,
    notFound: false,
    error: result.status === 'rejected' ? `the results could not be read: ${(result.reason as Error).message}` : null,
  };
};
