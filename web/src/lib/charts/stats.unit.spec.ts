// Statistics as the tables show them: percentages, durations, n/a, infinity, and unknown keys kept.
import { describe, expect, it } from 'vitest';
import { duration, formatStat, statRows } from './stats.ts';

describe('formatStat', () => {
  it('shows fractions as percentages and counts as whole numbers', () => {
    expect(formatStat('total_return', 0.1234)).toMatch(/^12[.,]34 %$/);
    expect(formatStat('max_drawdown', 0.05)).toMatch(/^5[.,]00 %$/);
    expect(formatStat('trades', 83)).toBe('83');
  });
  it('says n/a for what could not be computed and ∞ for an infinite profit factor', () => {
    expect(formatStat('sortino', null)).toBe('n/a');
    expect(formatStat('profit_factor', 'inf')).toBe('∞');
  });
  it('treats an unknown key by its name', () => {
    expect(formatStat('monthly_return', 0.5)).toMatch(/^50[.,]00 %$/);
    expect(formatStat('time_in_market_ms', 3_600_000)).toBe('1 h');
  });
});

describe('duration', () => {
  it('uses the two largest units', () => {
    expect(duration(99_540_000)).toBe('1 d 3 h');
    expect(duration(90 * 60_000)).toBe('1 h 30 min');
    expect(duration(5 * 60_000)).toBe('5 min');
  });
});

describe('statRows', () => {
  it('lists the known statistics present, in order, then any other key once', () => {
    const rows = statRows([{ sharpe: 1, total_return: 0.1, extra_thing: 3 }, { extra_thing: 4, cagr: 0.2 }]);
    expect(rows.map((r) => r.key)).toEqual(['total_return', 'cagr', 'sharpe', 'extra_thing']);
    expect(rows.at(-1)?.label).toBe('extra thing');
  });
});
