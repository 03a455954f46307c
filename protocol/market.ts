// Bars as they travel in events. A window is columnar (one array per field, bar i across them) so a
// thousand bars stay a small payload (size policy: ≤ ~100 KB inline). Times in bulk arrays are epoch
// milliseconds, UTC, of the bar's start; single timestamps elsewhere are ISO-8601.
import * as v from 'valibot';

/**
 * Bulk number columns (thousands of values an event) are checked in one tight loop rather than a schema
 * per element, and passed through as they are (not copied): consumers must not mutate payloads.
 */
export function numberColumn(what: 'finite' | 'integer' | 'index'): v.GenericSchema<number[]> {
  const ok =
    what === 'finite'
      ? (x: unknown) => typeof x === 'number' && Number.isFinite(x)
      : what === 'integer'
        ? (x: unknown) => Number.isInteger(x)
        : (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  const message = what === 'finite' ? 'an array of finite numbers' : what === 'integer' ? 'an array of integers' : 'an array of non-negative integers';
  return v.custom<number[]>((input) => {
    if (!Array.isArray(input)) return false;
    for (let i = 0; i < input.length; i++) if (!ok(input[i])) return false;
    return true;
  }, `expected ${message}`);
}

export const BarWindowSchema = v.object({
  /** The symbols of the window; `s[i]` indexes into it. */
  symbols: v.array(v.string()),
  s: numberColumn('index'),
  t: numberColumn('integer'),
  o: numberColumn('finite'),
  h: numberColumn('finite'),
  l: numberColumn('finite'),
  c: numberColumn('finite'),
  v: numberColumn('finite'),
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

/** Bars [from, to) of a window, as a new window with the same symbols. */
export function sliceWindow(w: BarWindow, from: number, to: number): BarWindow {
  return { symbols: w.symbols, s: w.s.slice(from, to), t: w.t.slice(from, to), o: w.o.slice(from, to), h: w.h.slice(from, to), l: w.l.slice(from, to), c: w.c.slice(from, to), v: w.v.slice(from, to) };
}

