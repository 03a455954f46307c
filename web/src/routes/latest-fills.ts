// The dashboard's latest fills, read cheaply from an API that pages in commit order from the oldest row.
// Neither `from` nor `to` helps: they filter on the fill's time, which in a backtest is the bar's (2025 for
// the demo data), not when Weaver recorded it. Instead: the runs likeliest to hold the newest fills first
// (active ones, then by when they ended), each read to its end with the run_id filter, until `keep` fills
// are in hand; each run's last cursor is kept, and a ui.Fill of a run reads on from there. The fills are
// then ordered by created_at (when Weaver recorded them), newest first.
import type { Fill, Page, Run } from '#lib/types.ts';

/** A fill as GET /fills answers it: with when Weaver recorded it. */
export type RecordedFill = Fill & { created_at: string };
export type FetchFills = (runId: string, cursor: string | null, limit: number) => Promise<Page<RecordedFill>>;

const ACTIVE = new Set(['starting', 'running', 'stopping']);
const PAGE = 1000;

/** Active runs first, then the others by when they ended (or started, or were created), newest first; never-started runs last. */
export function byActivity(runs: readonly Run[]): Run[] {
  const last = (r: Run) => r.ended_at ?? r.started_at ?? r.created_at ?? '';
  const rank = (r: Run) => (ACTIVE.has(r.status) ? 0 : r.status === 'created' ? 2 : 1);
  return [...runs].sort((a, b) => rank(a) - rank(b) || (last(a) < last(b) ? 1 : last(a) > last(b) ? -1 : 0));
}

/** Newest first: by created_at, then by id descending (the API's order within one transaction, reversed). */
export function newestFirst(a: RecordedFill, b: RecordedFill): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.fill_id < b.fill_id ? 1 : a.fill_id > b.fill_id ? -1 : 0;
}

interface RunFills {
  /** The last `keep` fills read, oldest first. */
  fills: RecordedFill[];
  cursor: string | null;
  read: Promise<void>;
}

export class LatestFills {
  readonly #keep: number;
  readonly #fetch: FetchFills;
  readonly #runs = new Map<string, RunFills>();

  constructor(keep: number, fetch: FetchFills) {
    this.#keep = keep;
    this.#fetch = fetch;
  }

  /** Reads the runs likeliest to hold the newest fills until `keep` fills are in hand and every active run is read. */
  async load(runs: readonly Run[]): Promise<void> {
    let have = 0;
    for (const run of byActivity(runs)) {
      if (run.status === 'created') break;
      if (have >= this.#keep && !ACTIVE.has(run.status)) break;
      await this.readRun(run.id);
      have += this.#runs.get(run.id)?.fills.length ?? 0;
    }
  }

  /** Reads a run's fills on from its last cursor (from its first fill the first time). Reads of one run never overlap. */
  readRun(runId: string): Promise<void> {
    const state = this.#runs.get(runId) ?? { fills: [], cursor: null, read: Promise.resolve() };
    this.#runs.set(runId, state);
    // A failed read leaves the cursor where it was: the next one starts from there.
    state.read = state.read.catch(() => {}).then(async () => {
      for (;;) {
        const page = await this.#fetch(runId, state.cursor, PAGE);
        if (page.items.length > 0) state.fills = [...state.fills, ...page.items].slice(-this.#keep);
        if (page.next_cursor) state.cursor = page.next_cursor;
        if (page.items.length < PAGE) return;
      }
    });
    return state.read;
  }

  /** The newest `keep` fills of the runs read so far. */
  latest(): RecordedFill[] {
    return [...this.#runs.values()]
      .flatMap((r) => r.fills)
      .sort(newestFirst)
      .slice(0, this.#keep);
  }
}
