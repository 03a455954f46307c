// Compact forms of what Marvin holds between events: bar windows as float64 columns (the engine's cache,
// read bar by bar) and tick times as runs of equal steps (in the snapshot written with every batch).
import type { BarWindow } from '../../protocol/index.ts';

/** A window's columns as float64 arrays (bar i across them), as the engine reads it. */
export interface Columns {
  readonly n: number;
  readonly s: Float64Array;
  readonly t: Float64Array;
  readonly o: Float64Array;
  readonly h: Float64Array;
  readonly l: Float64Array;
  readonly c: Float64Array;
  readonly v: Float64Array;
}

const FIELDS = ['s', 't', 'o', 'h', 'l', 'c', 'v'] as const;

/** The columns of a window, or of the parts of one in order, copied into float64 arrays. */
export function columnsOf(...parts: BarWindow[]): Columns {
  let n = 0;
  for (const w of parts) n += w.t.length;
  const all = new Float64Array(7 * n);
  for (let j = 0; j < 7; j++) {
    let at = j * n;
    for (const w of parts) {
      const col = w[FIELDS[j]!];
      for (let i = 0; i < col.length; i++) all[at++] = col[i]!;
    }
  }
  const part = (j: number) => all.subarray(j * n, (j + 1) * n);
  return { n, s: part(0), t: part(1), o: part(2), h: part(3), l: part(4), c: part(5), v: part(6) };
}

/**
 * Tick times as runs of equal steps, `[start, step, count, start, step, count, …]`: a batch of 5,000
 * one-minute ticks is three numbers, a year of trading days a few dozen.
 */
export function packTicks(ts: readonly number[]): number[] {
  const runs: number[] = [];
  let i = 0;
  while (i < ts.length) {
    const start = ts[i]!;
    const step = i + 1 < ts.length ? ts[i + 1]! - start : 0;
    let count = 1;
    while (i + count < ts.length && ts[i + count]! - ts[i + count - 1]! === step) count++;
    runs.push(start, step, count);
    i += count;
  }
  return runs;
}

export function unpackTicks(runs: readonly number[]): Float64Array {
  let n = 0;
  for (let r = 2; r < runs.length; r += 3) n += runs[r]!;
  const out = new Float64Array(n);
  let k = 0;
  for (let r = 0; r < runs.length; r += 3) for (let j = 0; j < runs[r + 2]!; j++) out[k++] = runs[r]! + j * runs[r + 1]!;
  return out;
}
