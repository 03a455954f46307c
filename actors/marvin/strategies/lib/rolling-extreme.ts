// The highest (or lowest) of the last `period` values in amortised O(1) per value: a monotonic deque of
// (index, value) candidates, kept as plain JSON (a strategy's state is snapshotted). Each value enters
// and leaves the deque once; the consumed front is trimmed in batches so the arrays stay small.

export interface RollingExtreme {
  readonly period: number;
  /** 1: the highest value; -1: the lowest. */
  readonly sign: 1 | -1;
  /** Values seen so far (the next value's index). */
  seen: number;
  /** Candidates from `head` on: indices increasing, values decreasing (times `sign`). */
  readonly idx: number[];
  readonly val: number[];
  head: number;
}

export function rollingMax(period: number): RollingExtreme {
  return make(period, 1);
}

export function rollingMin(period: number): RollingExtreme {
  return make(period, -1);
}

function make(period: number, sign: 1 | -1): RollingExtreme {
  if (!Number.isInteger(period) || period < 1) throw new Error(`rolling extreme: period must be an integer ≥ 1, got ${period}`);
  return { period, sign, seen: 0, idx: [], val: [], head: 0 };
}

/** Add a value; returns the extreme of the last `period` values, or null while fewer were seen. */
export function pushExtreme(r: RollingExtreme, x: number): number | null {
  const i = r.seen++;
  // Drop candidates the new value dominates: they can never be the extreme again.
  while (r.val.length > r.head && r.sign * r.val[r.val.length - 1]! <= r.sign * x) {
    r.val.pop();
    r.idx.pop();
  }
  r.idx.push(i);
  r.val.push(x);
  while (r.idx[r.head]! <= i - r.period) r.head++;
  if (r.head >= 64 && r.head * 2 >= r.idx.length) {
    r.idx.splice(0, r.head);
    r.val.splice(0, r.head);
    r.head = 0;
  }
  return extremeOf(r);
}

/** The extreme of the current window, or null while fewer than `period` values were seen. */
export function extremeOf(r: RollingExtreme): number | null {
  return r.seen < r.period ? null : r.val[r.head]!;
}
