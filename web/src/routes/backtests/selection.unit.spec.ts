// The compared runs in the URL: read, toggled, written back.
import { describe, expect, it } from 'vitest';
import { MAX_COMPARED, selectedRuns, selectionQuery, toggled } from './selection.ts';

const id = (n: number) => `01a21557-6ddd-756d-a658-${String(n).padStart(12, '0')}`;

describe('selection', () => {
  it('reads ids from ?runs=, without repeats or junk, at most MAX_COMPARED', () => {
    const many = Array.from({ length: 8 }, (_, i) => id(i));
    const url = new URL(`http://x/ui/backtests?runs=${[id(1), id(1), 'x y', ...many].join(',')}`);
    const ids = selectedRuns(url);
    expect(ids[0]).toBe(id(1));
    expect(ids).toHaveLength(MAX_COMPARED);
    expect(new Set(ids).size).toBe(ids.length);
    expect(selectedRuns(new URL('http://x/ui/backtests'))).toEqual([]);
  });
  it('adds at the end, removes, and refuses a seventh', () => {
    expect(toggled([id(1)], id(2), true)).toEqual([id(1), id(2)]);
    expect(toggled([id(1), id(2)], id(1), false)).toEqual([id(2)]);
    const full = Array.from({ length: MAX_COMPARED }, (_, i) => id(i));
    expect(toggled(full, id(99), true)).toEqual(full);
  });
  it('writes the query back ("" for none)', () => {
    expect(selectionQuery([])).toBe('');
    expect(selectionQuery([id(1), id(2)])).toBe(`?runs=${id(1)},${id(2)}`);
  });
});
