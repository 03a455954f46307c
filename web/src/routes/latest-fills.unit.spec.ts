// The dashboard's latest fills: which runs are read first, that reading stops once enough fills are in hand,
// that a run reads on from its last cursor without seeing a fill twice (overlapping reads included), that a
// failed read is retried from where it stopped, and the newest-first order. The page source is an in-memory
// model of GET /fills?run_id (commit order, a cursor per row, a page shorter than its limit at the end).
import { describe, expect, it } from 'vitest';
import type { Page, Run } from '#lib/types.ts';
import { byActivity, LatestFills, newestFirst, type FetchFills, type RecordedFill } from './latest-fills.ts';

function run(id: string, status: string, at: { created?: string; started?: string; ended?: string } = {}): Run {
  return { id, mode: 'backtest', status, name: null, timeframe: '1m', from: null, to: null, instances: [], error: null, created_at: at.created ?? null, started_at: at.started ?? null, ended_at: at.ended ?? null };
}

let clock = Date.parse('2026-01-01T00:00:00Z');
function fill(runId: string, n: number): RecordedFill {
  clock += 1000;
  return { fill_id: `${runId}:f${String(n).padStart(4, '0')}`, order_id: `${runId}:o${n}`, run_id: runId, instance_id: 'i', strategy: 's', symbol: 'X', side: 'buy', qty: 1, price: 1, fee: 0, ts: '2025-01-01T00:00:00.000Z', created_at: new Date(clock).toISOString() };
}

/** The fills of each run in commit order, paged like the API; records every request. */
function source(rows: Record<string, RecordedFill[]>) {
  const calls: { runId: string; cursor: string | null; limit: number }[] = [];
  let fail = 0;
  const fetch: FetchFills = async (runId, cursor, limit) => {
    calls.push({ runId, cursor, limit });
    await Promise.resolve();
    if (fail > 0) {
      fail -= 1;
      throw new Error('the gateway answered 503');
    }
    const all = rows[runId] ?? [];
    const start = cursor === null ? 0 : all.findIndex((f) => f.fill_id === cursor) + 1;
    const items = all.slice(start, start + limit);
    const page: Page<RecordedFill> = { items, next_cursor: items.length ? items[items.length - 1]!.fill_id : null };
    return page;
  };
  return { fetch, calls, failNext: (n: number) => (fail = n) };
}

describe('byActivity', () => {
  it('puts active runs first, then the rest by when they ended (or started), newest first, and never-started runs last', () => {
    const runs = [
      run('old', 'completed', { ended: '2026-01-01T10:00:00Z' }),
      run('made', 'created', { created: '2026-01-03T00:00:00Z' }),
      run('live', 'running', { started: '2025-12-01T00:00:00Z' }),
      run('new', 'stopped', { ended: '2026-01-02T10:00:00Z' }),
      run('mid', 'failed', { started: '2026-01-01T12:00:00Z' }),
    ];
    expect(byActivity(runs).map((r) => r.id)).toEqual(['live', 'new', 'mid', 'old', 'made']);
  });
});

describe('LatestFills', () => {
  it('reads the likeliest runs until it has enough fills, and shows the newest first', async () => {
    const rows = { a: [1, 2, 3].map((n) => fill('a', n)), b: [1, 2, 3, 4].map((n) => fill('b', n)), c: [1].map((n) => fill('c', n)) };
    const { fetch, calls } = source(rows);
    const reader = new LatestFills(3, fetch);
    // b ended last, a before it, c long ago: b alone has 3 fills, so a and c are never read.
    await reader.load([run('a', 'completed', { ended: '2026-01-02T00:00:00Z' }), run('b', 'completed', { ended: '2026-01-03T00:00:00Z' }), run('c', 'completed', { ended: '2025-01-01T00:00:00Z' })]);
    expect(new Set(calls.map((c) => c.runId))).toEqual(new Set(['b']));
    expect(reader.latest().map((f) => f.fill_id)).toEqual(['b:f0004', 'b:f0003', 'b:f0002']);
  });

  it('always reads every active run, however many fills it already has', async () => {
    const busy = [fill('busy', 1)];
    const rows = { busy, done: [1, 2, 3].map((n) => fill('done', n)) };
    const { fetch, calls } = source(rows);
    const reader = new LatestFills(2, fetch);
    await reader.load([run('done', 'completed', { ended: '2026-01-05T00:00:00Z' }), run('busy', 'running', { started: '2020-01-01T00:00:00Z' })]);
    expect(new Set(calls.map((c) => c.runId))).toEqual(new Set(['busy', 'done']));
    // busy's fill was recorded before done's: the newest two are done's.
    expect(reader.latest().map((f) => f.fill_id)).toEqual(['done:f0003', 'done:f0002']);
  });

  it('reads on from the last cursor, across full pages, and overlapping reads of one run see no fill twice', async () => {
    const rows: Record<string, RecordedFill[]> = { r: [] };
    const { fetch, calls } = source(rows);
    const reader = new LatestFills(5, fetch);
    await reader.readRun('r');
    expect(reader.latest()).toEqual([]);
    for (let n = 1; n <= 1500; n++) rows.r!.push(fill('r', n));
    calls.length = 0;
    await Promise.all([reader.readRun('r'), reader.readRun('r')]);
    // The first read pages 1000 + 500 from the start; the second starts where it stopped and finds nothing.
    expect(calls.map((c) => c.cursor)).toEqual([null, 'r:f1000', 'r:f1500']);
    expect(reader.latest().map((f) => f.fill_id)).toEqual(['r:f1500', 'r:f1499', 'r:f1498', 'r:f1497', 'r:f1496']);
    rows.r!.push(fill('r', 1501));
    await reader.readRun('r');
    expect(calls.at(-1)!.cursor).toBe('r:f1500');
    expect(reader.latest()[0]!.fill_id).toBe('r:f1501');
  });

  it('after a failed read, the next one starts again from the last cursor it had', async () => {
    const rows = { r: [1, 2].map((n) => fill('r', n)) };
    const { fetch, calls, failNext } = source(rows);
    const reader = new LatestFills(10, fetch);
    await reader.readRun('r');
    rows.r.push(fill('r', 3));
    failNext(1);
    await expect(reader.readRun('r')).rejects.toThrow('503');
    await reader.readRun('r');
    expect(calls.slice(-2).map((c) => c.cursor)).toEqual(['r:f0002', 'r:f0002']);
    expect(reader.latest().map((f) => f.fill_id)).toEqual(['r:f0003', 'r:f0002', 'r:f0001']);
  });
});

describe('newestFirst', () => {
  it('orders by created_at descending, then by id descending within one instant', () => {
    const t = '2026-01-01T00:00:00.000Z';
    const base = fill('x', 1);
    const f = (id: string, created_at: string) => ({ ...base, fill_id: id, created_at });
    const sorted = [f('a', t), f('c', '2026-01-02T00:00:00.000Z'), f('b', t)].sort(newestFirst);
    expect(sorted.map((x) => x.fill_id)).toEqual(['c', 'b', 'a']);
  });
});
