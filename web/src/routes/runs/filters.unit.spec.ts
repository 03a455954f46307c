// The runs list's filters: which runs pass, the strategy options, and the round trip through the URL.
import { describe, expect, it } from 'vitest';
import type { Run } from '#lib/types.ts';
import { describeInstances, filterRuns, filtersFromQuery, filtersToQuery, isFiltered, NO_FILTERS, strategiesOf } from './filters.ts';

function run(id: string, patch: Partial<Run> = {}): Run {
  return {
    id,
    mode: 'backtest',
    status: 'completed',
    name: null,
    timeframe: '1m',
    from: '2025-12-27T00:00:00.000Z',
    to: '2025-12-31T23:59:59.999Z',
    instances: [{ instance_id: `${id}-i`, strategy: 'sma_cross', params: {}, symbols: ['DEMO_ACME'] }],
    error: null,
    created_at: '2025-12-31T10:00:00.000Z',
    started_at: null,
    ended_at: null,
    ...patch,
  };
}

const runs = [
  run('0190a-aaa1', { status: 'running', name: 'Morning demo' }),
  run('0190b-bbb2', { status: 'failed', mode: 'live' }),
  run('0190c-ccc3', { instances: [{ instance_id: 'x', strategy: 'breakout', params: {}, symbols: ['A', 'B'] }, { instance_id: 'y', strategy: 'sma_cross', params: {}, symbols: ['C'] }] }),
  run('0190d-ddd4', { instances: [{ instance_id: 'z', strategy: 'breakout', params: {}, symbols: ['A'] }], name: 'breakout A' }),
];
const ids = (rs: Run[]) => rs.map((r) => r.id);

describe('filterRuns', () => {
  it('lets every run through without filters', () => {
    expect(ids(filterRuns(runs, NO_FILTERS))).toEqual(ids(runs));
    expect(isFiltered(NO_FILTERS)).toBe(false);
  });
  it('filters by status, mode and strategy (a run with several instances matches any of them)', () => {
    expect(ids(filterRuns(runs, { ...NO_FILTERS, status: 'running' }))).toEqual(['0190a-aaa1']);
    expect(ids(filterRuns(runs, { ...NO_FILTERS, mode: 'live' }))).toEqual(['0190b-bbb2']);
    expect(ids(filterRuns(runs, { ...NO_FILTERS, strategy: 'breakout' }))).toEqual(['0190c-ccc3', '0190d-ddd4']);
    expect(ids(filterRuns(runs, { ...NO_FILTERS, strategy: 'sma_cross', status: 'completed' }))).toEqual(['0190c-ccc3']);
  });
  it('searches the name and the id, case-insensitively, ignoring spaces around', () => {
    expect(ids(filterRuns(runs, { ...NO_FILTERS, q: ' morning ' }))).toEqual(['0190a-aaa1']);
    expect(ids(filterRuns(runs, { ...NO_FILTERS, q: 'DDD4' }))).toEqual(['0190d-ddd4']);
    expect(ids(filterRuns(runs, { ...NO_FILTERS, q: 'nothing' }))).toEqual([]);
    expect(isFiltered({ ...NO_FILTERS, q: 'x' })).toBe(true);
    expect(isFiltered({ ...NO_FILTERS, q: '  ' })).toBe(false);
  });
});

describe('strategiesOf and describeInstances', () => {
  it('lists the strategies used once each, sorted', () => {
    expect(strategiesOf(runs)).toEqual(['breakout', 'sma_cross']);
    expect(strategiesOf([])).toEqual([]);
  });
  it('writes a run\'s instances on one line', () => {
    expect(describeInstances(runs[2]!)).toBe('breakout(A, B); sma_cross(C)');
  });
});

describe('filters in the URL', () => {
  it('round-trips through the query', () => {
    const f = { status: 'failed', mode: 'live', strategy: 'sma_cross', q: 'demo run' };
    const query = filtersToQuery(f);
    expect(query).toBe('?status=failed&mode=live&strategy=sma_cross&q=demo+run');
    expect(filtersFromQuery(new URLSearchParams(query))).toEqual(f);
    expect(filtersToQuery(NO_FILTERS)).toBe('');
  });
  it('ignores a status or mode that does not exist', () => {
    expect(filtersFromQuery(new URLSearchParams('status=bogus&mode=paper&q=x'))).toEqual({ ...NO_FILTERS, q: 'x' });
  });
});
