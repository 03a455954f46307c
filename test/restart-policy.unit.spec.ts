import { describe, expect, it } from 'vitest';
import { backoffFor, decideRestart, NO_RESTARTS, type RestartHistory, type RestartPolicyOptions } from '../runtime/supervisor/restart-policy.ts';

const policy: RestartPolicyOptions = { initialBackoffMs: 100, maxBackoffMs: 30_000, jitter: 0.2, intensity: 5, periodMs: 60_000, stableAfterMs: 10_000 };
const middle = () => 0.5; // no jitter

/** Crash `times` times, `everyMs` apart, each after running `ranForMs`; returns every decision. */
function crashes(times: number, everyMs: number, ranForMs = 0, p = policy) {
  let history: RestartHistory = NO_RESTARTS;
  const out = [];
  for (let i = 0; i < times; i++) {
    const d = decideRestart(p, history, { at: i * everyMs, ranForMs }, middle);
    history = d.history;
    out.push(d);
  }
  return out;
}

describe('restart policy: backoff', () => {
  it('doubles from 100 ms and is capped at 30 s', () => {
    expect([0, 1, 2, 3, 8, 9, 40].map((n) => backoffFor(policy, n, middle))).toEqual([100, 200, 400, 800, 25_600, 30_000, 30_000]);
  });

  it('jitters by at most ±20%', () => {
    expect(backoffFor(policy, 3, () => 0)).toBe(640);
    expect(backoffFor(policy, 3, () => 1)).toBe(960);
    for (let i = 0; i < 200; i++) {
      const b = backoffFor(policy, 2);
      expect(b).toBeGreaterThanOrEqual(320);
      expect(b).toBeLessThanOrEqual(480);
    }
  });

  it('starts over from the initial backoff after a stable run', () => {
    const quick = crashes(3, 1_000);
    expect(quick.map((d) => d.action === 'restart' && d.backoffMs)).toEqual([100, 200, 400]);
    const afterStable = decideRestart(policy, quick[2]!.history, { at: 5_000, ranForMs: 10_000 }, middle);
    expect(afterStable).toMatchObject({ action: 'restart', backoffMs: 100 });
  });
});

describe('restart policy: intensity', () => {
  it('allows `intensity` restarts within the period, then fails', () => {
    const d = crashes(6, 1_000);
    expect(d.map((x) => x.action)).toEqual(['restart', 'restart', 'restart', 'restart', 'restart', 'fail']);
    expect(d[5]!.action === 'fail' && d[5]!.reason).toContain('reached the limit (5)');
  });

  it('forgets restarts older than the period', () => {
    // 5 restarts 20 s apart never have more than 3 inside a 60 s window.
    expect(crashes(12, 20_000).every((x) => x.action === 'restart')).toBe(true);
  });

  it('counts restarts even when each run was stable (OTP: the window decides, not the backoff)', () => {
    const p = { ...policy, intensity: 2, periodMs: 60_000 };
    expect(crashes(3, 11_000, 10_000, p).map((x) => x.action)).toEqual(['restart', 'restart', 'fail']);
  });

  it('with intensity 1 fails on the second crash inside the period (OTP default 1 in 5 s)', () => {
    const p = { ...policy, intensity: 1, periodMs: 5_000 };
    expect(crashes(2, 1_000, 0, p).map((x) => x.action)).toEqual(['restart', 'fail']);
    expect(crashes(2, 6_000, 0, p).map((x) => x.action)).toEqual(['restart', 'restart']);
  });

  it('does not count transient crashes (database unreachable) towards the limit, but still backs off', () => {
    const p = { ...policy, intensity: 1 };
    let history: RestartHistory = NO_RESTARTS;
    const backoffs = [];
    for (let i = 0; i < 10; i++) {
      const d = decideRestart(p, history, { at: i * 100, ranForMs: 0, transient: true }, middle);
      expect(d.action).toBe('restart');
      if (d.action === 'restart') backoffs.push(d.backoffMs);
      history = d.history;
    }
    expect(backoffs.slice(0, 4)).toEqual([100, 200, 400, 800]);
    expect(decideRestart(p, history, { at: 1_000, ranForMs: 0 }, middle).action).toBe('restart');
  });
});
