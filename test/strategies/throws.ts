// test_throws: a strategy that throws from bar `from_bar` on (default 0: on every bar). Tests use it to
// see one failing instance end `failed` with an error naming the strategy and the bar, while the other
// instances of the same run go on undisturbed. Default export, so WEAVER_STRATEGY_MODULES can load it in
// worker threads too.
import { defineStrategy } from '../../actors/marvin/strategy.ts';

export type ThrowsParams = { readonly from_bar: number };

export default defineStrategy<ThrowsParams, Record<string, never>>({
  name: 'test_throws',
  description: 'Test strategy: throws an Error in onBar from bar `from_bar` of the run on.',
  params: {
    from_bar: { type: 'integer', default: 0, min: 0, description: 'The first bar index (of the run) on which onBar throws.' },
  },
  init() {
    return {};
  },
  onBar(ctx) {
    if (ctx.clock.barIndex >= ctx.params.from_bar) throw new Error(`test_throws fails on purpose at bar ${ctx.clock.barIndex}`);
  },
});
