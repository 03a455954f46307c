// What the price chart draws, computed once per load rather than per bar: the bars of a run's range read
// page by page from GET /candles (10,000 a request, following next_from), simple moving averages of the
// closes, and the fills as buy/sell markers, several fills of one bar and side folded into one marker.
import type { CandlestickData, LineData, SeriesMarker, Time } from 'lightweight-charts';
import { api, query } from '#lib/api.ts';
import { chartTime } from '#lib/charts/theme.ts';
import type { Candles } from '#lib/types.ts';

const PAGE = 10_000;
/** Beyond this many bars the chart shows the first ones and says so (a run's range rarely has more). */
export const MAX_BARS = 300_000;

export interface Bars {
  candles: CandlestickData<Time>[];
  closes: Float64Array;
  /** More bars were in range than MAX_BARS. */
  truncated: boolean;
}

/** Every bar of symbol/timeframe in [from, to] (without from: the last PAGE bars up to to). */
export async function loadBars(
  symbol: string,
  timeframe: string,
  from: string | null,
  to: string | null,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<Bars> {
  const candles: CandlestickData<Time>[] = [];
  let next: string | null = from;
  let truncated = false;
  for (;;) {
    const page: Candles = await api<Candles>(`/candles${query({ symbol, timeframe, from: next, to, limit: PAGE })}`, { signal });
    for (const b of page.bars) {
      const time = chartTime(b.t);
      const last = candles[candles.length - 1];
      if (last && (last.time as number) >= (time as number)) continue;
      candles.push({ time, open: b.o, high: b.h, low: b.l, close: b.c });
    }
    onProgress(candles.length);
    if (from === null || !page.next_from || page.bars.length === 0) break;
    if (to !== null && Date.parse(page.next_from) > Date.parse(to)) break;
    if (candles.length >= MAX_BARS) {
      truncated = true;
      break;
    }
    next = page.next_from;
  }
  const closes = new Float64Array(candles.length);
  for (let i = 0; i < candles.length; i++) closes[i] = candles[i]!.close;
  return { candles, closes, truncated };
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
