// What the price chart draws, computed once per load rather than per bar: the bars of a run's range read
// slice by slice from GET /candles?format=columns (10,000 a request, the latest slice first), simple moving averages of the
// closes, and the fills as buy/sell markers, several fills of one bar and side folded into one marker.
import type { CandlestickData, LineData, SeriesMarker, Time, UTCTimestamp } from 'lightweight-charts';
import { api, query } from '#lib/api.ts';
import { chartTime } from '#lib/charts/theme.ts';

const PAGE = 10_000;
/** Beyond this many bars the chart shows the first ones and says so (a run's range rarely has more). */
export const MAX_BARS = 300_000;

export interface Bars {
  candles: CandlestickData<Time>[];
  closes: Float64Array;
  /** More bars were in range than MAX_BARS. */
  truncated: boolean;
}

/** One answer of GET /candles?format=columns: t is the bar start in epoch ms. */
export interface BarColumns {
  t: number[];
  o: number[];
  h: number[];
  l: number[];
  c: number[];
  next_from: string | null;
}

const TIMEFRAME_MS: Readonly<Record<string, number>> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };
/** Requests in flight at once while loading a long range. */
const PARALLEL = 4;

/** The chart's bars from pages of columns in time order (a bar not after the one before it is skipped). */
export function barsFromColumns(pages: readonly (BarColumns | undefined)[], truncated: boolean): Bars {
  let total = 0;
  for (const p of pages) total += p ? p.t.length : 0;
  const candles: CandlestickData<Time>[] = [];
  const closes = new Float64Array(total);
  let last = -Infinity;
  for (const p of pages) {
    if (!p) continue;
    const { t, o, h, l, c } = p;
    for (let i = 0; i < t.length; i++) {
      const time = Math.floor(t[i]! / 1000);
      if (time <= last) continue;
      last = time;
      closes[candles.length] = c[i]!;
      candles.push({ time: time as UTCTimestamp, open: o[i]!, high: h[i]!, low: l[i]!, close: c[i]! });
    }
  }
  return { candles, closes: candles.length === total ? closes : closes.slice(0, candles.length), truncated };
}

export interface LoadProgress {
  /** Bars read so far. */
  loaded: number;
  /** Slices (requests) answered and planned. */
  slices: number;
  of: number;
}

/**
 * Every bar of symbol/timeframe in [from, to] (without from: the last PAGE bars up to to). A known range is
 * cut into slices of PAGE bar intervals (at most PAGE bars each) read PARALLEL at a time, the slice with the
 * END of the range first: the chart opens on its latest bars, so onLatest gets them to draw while the
 * earlier slices are still on their way (100,000 bars are 11 requests). Resolves with all of them.
 */
export async function loadBars(
  symbol: string,
  timeframe: string,
  from: string | null,
  to: string | null,
  on: { progress: (p: LoadProgress) => void; latest: (bars: Bars) => void },
  signal: AbortSignal,
): Promise<Bars> {
  const step = TIMEFRAME_MS[timeframe];
  const lo = from === null ? Number.NaN : Date.parse(from);
  const hi = to === null ? Number.NaN : Date.parse(to);
  const slices: { from: string | null; to: string | null }[] = [];
  if (step !== undefined && Number.isFinite(lo) && Number.isFinite(hi)) {
    const span = step * PAGE;
    for (let start = lo; start <= hi && slices.length * PAGE < MAX_BARS; start += span) {
      slices.push({ from: new Date(start).toISOString(), to: new Date(Math.min(start + span - 1, hi)).toISOString() });
    }
  } else {
    slices.push({ from, to });
  }
  const truncated = step !== undefined && Number.isFinite(lo) && Number.isFinite(hi) && (hi - lo) / step >= MAX_BARS;
  const pages: (BarColumns | undefined)[] = new Array(slices.length);
  // The last slice first, then the others from the latest back.
  const order = slices.map((_, i) => slices.length - 1 - i);
  let loaded = 0;
  let answered = 0;
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const i = order[next++]!;
      const slice = slices[i]!;
      const page = await api<BarColumns>(`/candles${query({ symbol, timeframe, from: slice.from, to: slice.to, limit: PAGE, format: 'columns' })}`, { signal });
      pages[i] = page;
      loaded += page.t.length;
      answered += 1;
      if (i === slices.length - 1 && slices.length > 1 && !signal.aborted) on.latest(barsFromColumns([page], truncated));
      on.progress({ loaded, slices: answered, of: slices.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, slices.length) }, worker));
  return barsFromColumns(pages, truncated);
}

/** The simple moving average of the closes over n bars, from the n-th bar on (as sma_cross computes it). */
export function sma(candles: readonly CandlestickData<Time>[], closes: Float64Array, n: number): LineData<Time>[] {
  const out: LineData<Time>[] = [];
  if (!(n >= 1)) return out;
  let sum = 0;
  for (let i = 0; i < closes.length; i++) {
    sum += closes[i]!;
    if (i >= n) sum -= closes[i - n]!;
    if (i >= n - 1) out.push({ time: candles[i]!.time, value: sum / n });
  }
  return out;
}

export interface MarkerFill {
  time: string;
  side: string;
  qty: number;
  symbol: string;
}

/** One marker per bar and side: an up arrow under the bar for buys, a down arrow over it for sells. */
export function fillMarkers(fills: readonly MarkerFill[], symbol: string, colors: { buy: string; sell: string }): SeriesMarker<Time>[] {
  const groups = new Map<string, { time: Time; buy: boolean; count: number; qty: number }>();
  for (const f of fills) {
    if (f.symbol !== symbol) continue;
    const time = chartTime(f.time);
    const buy = f.side === 'buy';
    const key = `${time as number}:${buy ? 'b' : 's'}`;
    const g = groups.get(key);
    if (g) {
      g.count += 1;
      g.qty += f.qty;
    } else groups.set(key, { time, buy, count: 1, qty: f.qty });
  }
  const markers: SeriesMarker<Time>[] = [];
  for (const g of groups.values()) {
    markers.push({
      time: g.time,
      position: g.buy ? 'belowBar' : 'aboveBar',
      shape: g.buy ? 'arrowUp' : 'arrowDown',
      color: g.buy ? colors.buy : colors.sell,
      ...(g.count > 1 ? { text: `${g.buy ? 'buy' : 'sell'} ×${g.count}` } : {}),
    });
  }
  return markers.sort((a, b) => (a.time as number) - (b.time as number));
}
