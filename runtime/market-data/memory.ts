// A CandleSource over columns in memory (the memory kernel and sweeps): binary searches, no copies of
// the series beyond the answer.
import { emptyWindow, type Bar, type BarWindow, type Timeframe } from '../../protocol/index.ts';
import type { CandleSource, Coverage } from './source.ts';

/** One symbol's bars in one timeframe, ascending by start. */
export interface Series {
  readonly t: ArrayLike<number>;
  readonly o: ArrayLike<number>;
  readonly h: ArrayLike<number>;
  readonly l: ArrayLike<number>;
  readonly c: ArrayLike<number>;
  readonly v: ArrayLike<number>;
}

const key = (symbol: string, tf: Timeframe) => `${tf}\u0000${symbol}`;

/** First index with t[i] ≥ ms. */
function lowerBound(t: ArrayLike<number>, ms: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface MemoryCandleSource extends CandleSource {
  add(symbol: string, timeframe: Timeframe, series: Series): void;
}

export function createMemoryCandleSource(): MemoryCandleSource {
  const data = new Map<string, Series>();
  const series = (symbol: string, tf: Timeframe) => data.get(key(symbol, tf));

  return {
    add(symbol, timeframe, s) {
      data.set(key(symbol, timeframe), s);
    },

    async timestamps(symbols, timeframe, fromMs, afterMs, toMs, limit) {
      const start = afterMs === null ? fromMs : afterMs + 1;
      if (symbols.length === 1) {
        const s = series(symbols[0]!, timeframe);
        if (!s) return [];
        const out: number[] = [];
        for (let i = lowerBound(s.t, start); i < s.t.length && out.length < limit && s.t[i]! <= toMs; i++) out.push(s.t[i]!);
        return out;
      }
      // Merge the symbols' starts, each once.
      const cursors = symbols.map((sym) => {
        const s = series(sym, timeframe);
        return { t: s?.t ?? [], i: s ? lowerBound(s.t, start) : 0 };
      });
      const out: number[] = [];
      while (out.length < limit) {
        let next = Infinity;
        for (const c of cursors) if (c.i < c.t.length && c.t[c.i]! < next) next = c.t[c.i]!;
        if (next === Infinity || next > toMs) break;
        out.push(next);
        for (const c of cursors) if (c.i < c.t.length && c.t[c.i] === next) c.i++;
      }
      return out;
    },

    async window(symbols, timeframe, fromMs, toMs) {
      if (symbols.length === 1) {
        // One symbol: a slice of each column.
        const s = series(symbols[0]!, timeframe);
        if (!s) return emptyWindow(symbols);
        const a = lowerBound(s.t, fromMs);
        const b = lowerBound(s.t, toMs + 1);
        const slice = (col: ArrayLike<number>) => {
          const out = new Array<number>(Math.max(0, b - a));
          for (let i = a; i < b; i++) out[i - a] = col[i]!;
          return out;
        };
        return { symbols: [...symbols], s: new Array<number>(Math.max(0, b - a)).fill(0), t: slice(s.t), o: slice(s.o), h: slice(s.h), l: slice(s.l), c: slice(s.c), v: slice(s.v) };
      }
      const w: BarWindow = emptyWindow(symbols);
      const cursors = symbols.map((sym) => {
        const s = series(sym, timeframe);
        return { s, i: s ? lowerBound(s.t, fromMs) : 0 };
      });
      for (;;) {
        let next = Infinity;
        for (const c of cursors) if (c.s && c.i < c.s.t.length && c.s.t[c.i]! < next) next = c.s.t[c.i]!;
        if (next === Infinity || next > toMs) break;
        // Symbols in their order in `symbols` at equal starts (the Postgres source sorts the same way).
        cursors.forEach((c, k) => {
          if (!c.s || c.i >= c.s.t.length || c.s.t[c.i] !== next) return;
          const s = c.s;
          const i = c.i++;
          w.s.push(k);
          w.t.push(next);
          w.o.push(s.o[i]!);
          w.h.push(s.h[i]!);
          w.l.push(s.l[i]!);
          w.c.push(s.c[i]!);
          w.v.push(s.v[i]!);
        });
      }
      return w;
    },

    async barsAt(symbols, timeframe, ts) {
      const out: Bar[] = [];
      for (const symbol of symbols) {
        const s = series(symbol, timeframe);
        if (!s) continue;
        const i = lowerBound(s.t, ts);
        if (s.t[i] === ts) out.push({ symbol, ts, open: s.o[i]!, high: s.h[i]!, low: s.l[i]!, close: s.c[i]!, volume: s.v[i]! });
      }
      return out;
    },

    async stored(symbols) {
      const out: (Coverage & { timeframe: Timeframe })[] = [];
      for (const [k, s] of data) {
        const [timeframe, symbol] = k.split('\u0000') as [Timeframe, string];
        if (symbols.includes(symbol) && s.t.length > 0) out.push({ symbol, timeframe, bars: s.t.length, first: s.t[0]!, last: s.t[s.t.length - 1]! });
      }
      return out;
    },

    async coverage(symbols, timeframe, fromMs, toMs) {
      return symbols.map((symbol): Coverage => {
        const s = series(symbol, timeframe);
        if (!s) return { symbol, bars: 0, first: null, last: null };
        const a = lowerBound(s.t, fromMs);
        const b = lowerBound(s.t, toMs + 1);
        return b > a ? { symbol, bars: b - a, first: s.t[a]!, last: s.t[b - 1]! } : { symbol, bars: 0, first: null, last: null };
      });
    },
  };
}
