// An equity curve ({t: epoch ms[], e: number[]} from GET /backtests/:run_id) as chart points: one point
// per whole second, ascending (lightweight-charts refuses repeated or backward times: the last value of a
// second wins), optionally rebased to start at 100, and its drawdown (equity / running peak − 1) in %.
import type { LineData, Time } from 'lightweight-charts';
import { chartTime } from './theme.ts';

export interface Curve {
  readonly t: readonly number[];
  readonly e: readonly number[];
}

/** The curve's points; with rebase, scaled so the first point is 100 (when it is positive). */
export function equityPoints(curve: Curve, rebase = false): LineData<Time>[] {
  const out: LineData<Time>[] = [];
  const n = Math.min(curve.t.length, curve.e.length);
  const first = n > 0 ? curve.e[0]! : 0;
  const scale = rebase && first > 0 ? 100 / first : 1;
  for (let i = 0; i < n; i++) {
    const time = chartTime(curve.t[i]!);
    const value = curve.e[i]! * scale;
    if (!Number.isFinite(value)) continue;
    const last = out[out.length - 1];
    if (last && (last.time as number) >= (time as number)) {
      if (last.time === time) last.value = value;
      continue;
    }
    out.push({ time, value });
  }
  return out;
}

/** Drawdown at each point in percent: 0 at a new peak, −25 when a quarter below the highest so far. */
export function drawdownPoints(points: readonly LineData<Time>[]): LineData<Time>[] {
  let peak = -Infinity;
  return points.map((p) => {
    peak = Math.max(peak, p.value);
    return { time: p.time, value: peak > 0 ? (p.value / peak - 1) * 100 : 0 };
  });
}
