// Bar timeframes: their codes, lengths and boundary alignment (UTC). Bars are named by their start.
import * as v from 'valibot';

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];
export const TimeframeSchema = v.picklist(TIMEFRAMES, `timeframe must be one of ${TIMEFRAMES.join(', ')}`);

const MINUTE = 60_000;
const LENGTH_MS: Readonly<Record<Timeframe, number>> = { '1m': MINUTE, '5m': 5 * MINUTE, '15m': 15 * MINUTE, '1h': 60 * MINUTE, '1d': 1440 * MINUTE };

export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

/** The length of one bar in milliseconds. */
export function timeframeMs(tf: Timeframe): number {
  return LENGTH_MS[tf];
}

/** The start of the bar that contains `ms` (epoch milliseconds, UTC); 1d bars start at 00:00 UTC. */
export function barStart(ms: number, lengthMs: number): number {
  return Math.floor(ms / lengthMs) * lengthMs;
}

/** The first bar boundary strictly after `ms`. */
export function nextBarStart(ms: number, lengthMs: number): number {
  return barStart(ms, lengthMs) + lengthMs;
}
