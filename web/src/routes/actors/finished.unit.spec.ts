// Which actors count as finished strategy actors (hidden by default, not counted as down): a marvin that
// is stopped and meant to be; a marvin that crashed or failed, or was killed but is still running, is not.
import { describe, expect, it } from 'vitest';
import { isFinishedStrategy } from './finished.ts';

const actor = (id: string, kind: string, state: string, desired: string) => ({ id, kind, state, desired });

describe('isFinishedStrategy', () => {
  it('is a stopped marvin that is meant to be stopped', () => {
    expect(isFinishedStrategy(actor('marvin:01a2', 'marvin', 'stopped', 'stopped'))).toBe(true);
  });
  it('is not a marvin that runs, failed, or has not stopped yet', () => {
    expect(isFinishedStrategy(actor('marvin:01a2', 'marvin', 'running', 'running'))).toBe(false);
    expect(isFinishedStrategy(actor('marvin:01a2', 'marvin', 'failed', 'running'))).toBe(false);
    expect(isFinishedStrategy(actor('marvin:01a2', 'marvin', 'running', 'stopped'))).toBe(false);
  });
  it('is never another kind of actor', () => {
    expect(isFinishedStrategy(actor('walle', 'walle', 'stopped', 'stopped'))).toBe(false);
  });
});
