// The run page's load function with a fake fetch: it reads the run and its results, registers the key the
// page invalidates on live events, and turns a missing run, missing results or an unreachable gateway
// into data the page shows in place (never a thrown error).
import { describe, expect, it } from 'vitest';
import { _runKey, load, type RunPageData } from './+page.ts';

const ID = '01970000-0000-7000-8000-0000abcd1234';
const RUN = { id: ID, mode: 'backtest', status: 'completed', name: null, timeframe: '1m', from: null, to: null, instances: [], error: null, created_at: null, started_at: null, ended_at: null };
const RESULT = { run_id: ID, status: 'completed', instances: [] };
const DECISIONS_URL = `/runs/${ID}/decisions?order=desc&limit=100`;
const DECISIONS = { items: [{ decision_id: 'd1', run_id: ID, instance_id: ID, strategy: 'sma_cross', ts: '2025-01-06T14:30:00.000Z', bar_index: 3, action: 'buy', reason: 'fast crossed above slow', details: { fast: 101.5 } }], next_cursor: 'abc' };

type Answer = { status: number; body: unknown } | 'refused';

/** Runs load() for ID with a fetch that answers each path from `answers`; gives the data, the paths asked and the keys registered. */
async function loadWith(answers: Record<string, Answer>, id = ID): Promise<{ data: RunPageData; asked: string[]; keys: string[] }> {
  const asked: string[] = [];
  const keys: string[] = [];
  const fetch = (async (url: RequestInfo | URL) => {
    const path = String(url);
    asked.push(path);
    const a = answers[path] ?? { status: 404, body: { code: 'not_found', message: `no route ${path}`, correlation_id: null } };
    if (a === 'refused') throw new TypeError('fetch failed');
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  const event = { params: { id }, fetch, depends: (...k: string[]) => keys.push(...k) };
  const data = (await (load as unknown as (e: typeof event) => Promise<RunPageData>)(event)) as RunPageData;
  return { data, asked, keys };
}

describe('the run page load', () => {
  it('reads the run, its results and its newest decisions and depends on the run key', async () => {
    const { data, asked, keys } = await loadWith({
      [`/runs/${ID}`]: { status: 200, body: RUN },
      [`/backtests/${ID}`]: { status: 200, body: RESULT },
      [DECISIONS_URL]: { status: 200, body: DECISIONS },
    });
    expect(asked.sort()).toEqual([`/backtests/${ID}`, `/runs/${ID}`, DECISIONS_URL].sort());
    expect(keys).toEqual([_runKey(ID)]);
    expect(data).toEqual({ id: ID, run: RUN, result: RESULT, decisions: DECISIONS, decisionsError: null, notFound: false, error: null });
  });

  it('keeps the run and results when the decisions cannot be read, and says why', async () => {
    const { data } = await loadWith({
      [`/runs/${ID}`]: { status: 200, body: RUN },
      [`/backtests/${ID}`]: { status: 200, body: RESULT },
      [DECISIONS_URL]: { status: 500, body: { code: 'internal', message: 'the decisions table is gone', correlation_id: 'c2' } },
    });
    expect(data.run).toEqual(RUN);
    expect(data.result).toEqual(RESULT);
    expect(data.error).toBeNull();
    expect(data.decisions).toBeNull();
    expect(data.decisionsError).toMatch(/the decisions table is gone/);
  });

  it('says a run is not found when the gateway answers 404', async () => {
    const { data } = await loadWith({
      [`/runs/${ID}`]: { status: 404, body: { code: 'not_found', message: `no run ${ID} (see GET /runs)`, correlation_id: null } },
    });
    expect(data.run).toBeNull();
    expect(data.result).toBeNull();
    expect(data.notFound).toBe(true);
    expect(data.error).toBe(`no run ${ID} (see GET /runs)`);
  });

  it('keeps the run when its results cannot be read, and says why', async () => {
    const { data } = await loadWith({
      [`/runs/${ID}`]: { status: 200, body: RUN },
      [`/backtests/${ID}`]: { status: 500, body: { code: 'internal', message: 'the database is down', correlation_id: 'c1' } },
    });
    expect(data.run).toEqual(RUN);
    expect(data.result).toBeNull();
    expect(data.notFound).toBe(false);
    expect(data.error).toMatch(/the database is down/);
  });

  it('an unreachable gateway is an error in place, not a missing run', async () => {
    const { data } = await loadWith({ [`/runs/${ID}`]: 'refused', [`/backtests/${ID}`]: 'refused' });
    expect(data.run).toBeNull();
    expect(data.notFound).toBe(false);
    expect(data.error).toMatch(/does not answer/);
  });

  it('asks for an id with characters that need escaping with them escaped', async () => {
    const { asked } = await loadWith({}, 'a/b c');
    expect(asked).toContain('/runs/a%2Fb%20c');
  });
});
