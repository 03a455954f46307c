// The compared runs as the URL carries them: ?runs=id1,id2 (at most MAX, no repeats, order kept).
export const MAX_COMPARED = 6;

export function selectedRuns(url: { readonly searchParams: { get(name: string): string | null } }): string[] {
  const raw = url.searchParams.get('runs') ?? '';
  const ids = raw.split(',').map((s) => s.trim()).filter((s) => /^[0-9a-f-]{8,64}$/i.test(s));
  return [...new Set(ids)].slice(0, MAX_COMPARED);
}

/** The selection after ticking (or unticking) one run. */
export function toggled(ids: readonly string[], id: string, on: boolean): string[] {
  if (!on) return ids.filter((x) => x !== id);
  return ids.includes(id) || ids.length >= MAX_COMPARED ? [...ids] : [...ids, id];
}

/** The query string of a selection ('' for none). */
export function selectionQuery(ids: readonly string[]): string {
  return ids.length === 0 ? '' : `?runs=${ids.join(',')}`;
}
