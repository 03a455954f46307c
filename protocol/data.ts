// data.*: historical windows answered by a venue (Greta in backtests), and what the candle importer did.
import * as v from 'valibot';
import { BarWindowSchema } from './market.ts';
import { defineEvent } from './registry.ts';
import { TimeframeSchema } from './timeframes.ts';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** A whole window in one event (≤ ~100 KB). */
export const DataWindowReady = defineEvent('data.WindowReady', 'evt', v.object({ request_id: v.string(), instance_id: v.string(), window: BarWindowSchema }));
/** Part `seq` (0-based) of a window too big for one event; data.WindowComplete follows the last part. */
export const DataWindowChunk = defineEvent('data.WindowChunk', 'evt', v.object({ request_id: v.string(), instance_id: v.string(), seq: count, window: BarWindowSchema }));
export const DataWindowComplete = defineEvent('data.WindowComplete', 'evt', v.object({ request_id: v.string(), instance_id: v.string(), chunks: count, bars: count }));

/** Candles were written (import or demo seed), in the same transaction as the rows. */
export const DataCandlesImported = defineEvent(
  'data.CandlesImported',
  'evt',
  v.object({
    symbol: v.string(),
    timeframe: TimeframeSchema,
    source: v.string(),
    rows: count,
    /** First and last bar start written (ISO). */
    from: v.string(),
    to: v.string(),
  }),
);
