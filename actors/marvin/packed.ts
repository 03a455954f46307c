// Marvin keeps the tick times and bar windows it holds between events as base64 of float64 columns:
// the snapshot taken with every batch then copies one short string, exactly (bit for bit), instead of
// thousands of numbers, and unpacking is a memcpy.
import { Buffer } from 'node:buffer';
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

export function packNumbers(values: ArrayLike<number>): string {
  return Buffer.from(Float64Array.from(values).buffer).toString('base64');
}

export function unpackNumbers(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  // A copy into a fresh, aligned buffer (Buffer.from may sit at any offset of a shared pool).
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function packWindow(w: BarWindow): string {
  const n = w.t.length;
  const all = new Float64Array(7 * n);
  for (let j = 0; j < 7; j++) {
    const col = w[FIELDS[j]!];
    const base = j * n;
    for (let i = 0; i < n; i++) all[base + i] = col[i]!;
  }
  return Buffer.from(all.buffer).toString('base64');
}

export function unpackWindow(text: string): Columns {
  const all = unpackNumbers(text);
  const n = all.length / 7;
  const col = (j: number) => all.subarray(j * n, (j + 1) * n);
  return { n, s: col(0), t: col(1), o: col(2), h: col(3), l: col(4), c: col(5), v: col(6) };
}

export function columnsOf(w: BarWindow): Columns {
  return unpackWindow(packWindow(w));
}
