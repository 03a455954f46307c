// Equity curves as chart points: whole seconds, ascending, one point a second, rebased, and their drawdown.
import { describe, expect, it } from 'vitest';
import { drawdownPoints, equityPoints } from './equity.ts';

const ms = (s: number) => s * 1000;

describe('equityPoints', () => {
  it('turns epoch ms into seconds and keeps the last value of a repeated second', () => {
    const points = equityPoints({ t: [ms(10), ms(10) + 500, ms(20)], e: [100, 101, 102] });
    expect(points).toEqual([
      { time: 10, value: 101 },
      { time: 20, value: 102 },
    ]);
  });
  it('drops points that go back in time or are not finite', () => {
    expect(equityPoints({ t: [ms(10), ms(5), ms(20), ms(30)], e: [1, 2, Number.NaN, 4] })).toEqual([
      { time: 10, value: 1 },
      { time: 30, value: 4 },
    ]);
  });
  it('rebases to 100 at the first point when asked', () => {
    expect(equityPoints({ t: [ms(1), ms(2)], e: [5000, 5500] }, true).map((p) => p.value)).toEqual([100, 110]);
  });
});

describe('drawdownPoints', () => {
  it('is the percentage below the running peak', () => {
    const d = drawdownPoints(equityPoints({ t: [ms(1), ms(2), ms(3), ms(4)], e: [100, 120, 90, 130] }));
    expect(d.map((p) => p.value)).toEqual([0, 0, -25, 0]);
  });
});
