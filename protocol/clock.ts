// clock.*: the only time source of strategies. A tick is the start of a bar; ticks may travel several to
// an event (a backtest clock sends them in batches), and every consumer sees each tick once, in order.
import * as v from 'valibot';
import { numberColumn } from './market.ts';
import { defineEvent } from './registry.ts';
import { TimeframeSchema } from './timeframes.ts';

const index = v.pipe(v.number(), v.integer(), v.minValue(0));

/**
 * Ticks `bar_index`, `bar_index + 1`, … whose bar starts (epoch ms, UTC) are `ts[0]`, `ts[1]`, ….
 * `final`: the run has no bar after these (end of the backtest range, or the run was stopped); `ts` may then be empty.
 */
export const ClockTick = defineEvent(
  'clock.Tick',
  'evt',
  v.object({
    run_id: v.string(),
    timeframe: TimeframeSchema,
    is_backtest: v.boolean(),
    bar_index: index,
    ts: numberColumn('integer'),
    final: v.boolean(),
  }),
);
