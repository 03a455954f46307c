// Coalesced refetches, on a fake clock: a burst of calls runs the function once, after the calls pause;
// calls that never pause still run it every maxWait; cancel drops a pending run.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesce } from './refetch.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('coalesce', () => {
  it('runs once for a burst, `wait` after its last call', () => {
    const fn = vi.fn();
    const again = coalesce(fn, 200, 1000);
    again();
    vi.advanceTimersByTime(150);
    again();
    again();
    vi.advanceTimersByTime(199);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs at least every maxWait while calls keep coming', () => {
    const fn = vi.fn();
    const again = coalesce(fn, 200, 1000);
    for (let t = 0; t < 2500; t += 100) {
      again();
      vi.advanceTimersByTime(100);
    }
    // Calls every 100 ms never pause for 200 ms: runs at 1000 and 2000 ms.
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(200);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('cancel drops the pending run', () => {
    const fn = vi.fn();
    const again = coalesce(fn, 200, 1000);
    again();
    again.cancel();
    vi.advanceTimersByTime(5000);
    expect(fn).not.toHaveBeenCalled();
  });
});
