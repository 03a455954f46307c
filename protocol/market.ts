// Bars as they travel in events. A window is columnar (one array per field, bar i across them) so a
// thousand bars stay a small payload (size policy: ≤ ~100 KB inline). Times in bulk arrays are epoch
// milliseconds, UTC, of the bar's start; single timestamps elsewhere are ISO-8601.
import * as v from 'valibot';

const num = v.pipe(v.number(), v.finite());
const epochMs = v.pipe(v.number(), v.integer());

export const BarWindowSchema = v.object({
  /** The symbols of the window; `s[i]` indexes into it. */
  symbols: v.array(v.string()),
  s: v.array(v.pipe(v.number(), v.integer(), v.minValue(0))),
  t: v.array(epochMs),
  o: v.array(num),
  h: v.array(num),
  l: v.array(num),
  c: v.array(num),
  v: v.array(num),
});
/** Bars ordered by (t, symbol). */
export type BarWindow = v.InferOutput<typeof BarWindowSchema>;

/** One bar, as strategies and the fill engine see it. */
export interface Bar {
  readonly symbol: string;
  /** Bar start, epoch ms UTC. */
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export function emptyWindow(symbols: readonly string[]): BarWindow {
  return { symbols: [...symbols], s: [], t: [], o: [], h: [], l: [], c: [], v: [] };
}

export function windowLength(w: BarWindow): number {
  return w.t.length;
}

export function barAt(w: BarWindow, i: number): Bar {
  return { symbol: w.symbols[w.s[i]!]!, ts: w.t[i]!, open: w.o[i]!, high: w.h[i]!, low: w.l[i]!, close: w.c[i]!, volume: w.v[i]! };
}

/** Append one bar (the caller keeps (t, symbol) order). */
export function pushBar(w: BarWindow, symbolIndex: number, bar: Omit<Bar, 'symbol'>): void {
  w.s.push(symbolIndex);
  w.t.push(bar.ts);
  w.o.push(bar.open);
  w.h.push(bar.high);
  w.l.push(bar.low);
  w.c.push(bar.close);
  w.v.push(bar.volume);
}

/** Bars [from, to) of a window, as a new window with the same symbols. */
export function sliceWindow(w: BarWindow, from: number, to: number): BarWindow {
  return { symbols: w.symbols, s: w.s.slice(from, to), t: w.t.slice(from, to), o: w.o.slice(from, to), h: w.h.slice(from, to), l: w.l.slice(from, to), c: w.c.slice(from, to), v: w.v.slice(from, to) };
}

/** Concatenate windows of the same symbols (chunks of one answer). */
export function concatWindows(parts: readonly BarWindow[], symbols: readonly string[]): BarWindow {
  const out = emptyWindow(symbols);
  for (const p of parts) {
    out.s.push(...p.s);
    out.t.push(...p.t);
    out.o.push(...p.o);
    out.h.push(...p.h);
    out.l.push(...p.l);
    out.c.push(...p.c);
    out.v.push(...p.v);
  }
  return out;
}
