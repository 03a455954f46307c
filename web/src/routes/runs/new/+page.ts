// The "New run" form's data: the strategies with their parameter schemas (GET /strategies), and the
// symbols earlier runs used (GET /runs) as a hint, since the gateway has no list of stored symbols.
// Failures are data, shown in place.
import { api } from '#lib/api.ts';
import type { Run, Strategy } from '#lib/types.ts';
import type { PageLoad } from './$types';

export interface NewRunPageData {
  strategies: Strategy[];
  /** Symbols of the latest runs, most used first (at most 12). */
  knownSymbols: string[];
  error: string | null;
}

export const load: PageLoad = async ({ fetch }): Promise<NewRunPageData> => {
  const [strategies, runs] = await Promise.allSettled([api<Strategy[]>('/strategies', { fetch }), api<{ items: Run[] }>('/runs?limit=100', { fetch })]);
  const counts = new Map<string, number>();
  if (runs.status === 'fulfilled') for (const r of runs.value.items) for (const i of r.instances) for (const s of i.symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  const knownSymbols = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 12).map(([s]) => s);
  if (strategies.status === 'rejected') {
    const e = strategies.reason as unknown;
    return { strategies: [], knownSymbols, error: e instanceof Error ? e.message : String(e) };
  }
  return { strategies: strategies.value, knownSymbols, error: null };
};
