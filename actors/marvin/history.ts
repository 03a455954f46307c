// Per-symbol bar history as ring buffers in plain arrays (JSON-serialisable: it is part of the snapshot).
import type { Bar } from '../../protocol/index.ts';

export type History = { cap: number; n: number; head: number; o: number[]; h: number[]; l: number[]; c: number[]; v: number[] };
export type Field = 'open' | 'high' | 'low' | 'close' | 'volume';

export function newHistory(cap: number): History {
  return { cap: Math.max(1, cap), n: 0, head: 0, o: [], h: [], l: [], c: [], v: [] };
}

export function pushHistory(h: History, bar: Bar): void {
  const i = h.head;
  h.o[i] = bar.open;
  h.h[i] = bar.high;
  h.l[i] = bar.low;
  h.c[i] = bar.close;
  h.v[i] = bar.volume;
  h.head = (i + 1) % h.cap;
  if (h.n < h.cap) h.n++;
}

const column = (h: History, field: Field): number[] =>
  field === 'close' ? h.c : field === 'open' ? h.o : field === 'high' ? h.h : field === 'low' ? h.l : h.v;

/** The last `n` values, oldest first; null while fewer than `n` are kept. */
export function lastValues(h: History, field: Field, n: number): number[] | null {
  if (!Number.isInteger(n) || n < 1) throw new Error(`history: n must be a positive integer, got ${n}`);
  if (n > h.cap) throw new Error(`history: asked for ${n} bars but the strategy declares history() = ${h.cap}; raise it`);
  if (n > h.n) return null;
  const col = column(h, field);
  const out = new Array<number>(n);
  let idx = (h.head - n + h.cap) % h.cap;
  for (let k = 0; k < n; k++) {
    out[k] = col[idx]!;
    idx = idx + 1 === h.cap ? 0 : idx + 1;
  }
  return out;
}
