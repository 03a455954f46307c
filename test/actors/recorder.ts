// Test actor: consumes test.Work and records one row per event in test_effects inside the batch
// transaction, so "exactly once" is countable. On its first incarnation it crashes as an event asks
// (after writing that batch's earlier rows), or at start as its config asks.
import * as v from 'valibot';
import { defineActor } from '../../runtime/actor/define.ts';
import { sql } from '../../runtime/db/pool.ts';
import { TestWork, type CrashKind } from './work.ts';

const Config = v.object({
  /** What start() does: 'ok', or crash every time ('throw', 'exit'), or never finish ('hang'). */
  start: v.optional(v.picklist(['ok', 'throw', 'exit', 'hang']), 'ok'),
});

function crash(how: CrashKind): never {
  switch (how) {
    case 'throw':
      throw new Error('recorder: crashing by throw, as test.Work asked');
    case 'exit':
      process.exit(3);
    case 'loop':
      for (;;);
    case 'oom': {
      // 8 MB a step: the worker's old-generation cap is reached in a few steps.
      const hog: number[][] = [];
      for (;;) hog.push(new Array(1_000_000).fill(Math.random()));
    }
  }
}

export default defineActor<{ handled: number }, v.InferOutput<typeof Config>>({
  kind: 'recorder',
  configSchema: Config,
  subscribe: {
    types: [TestWork.type],
    initialState: () => ({ handled: 0 }),
    async handle(event, ctx, actor) {
      const work = event.payload as v.InferOutput<typeof TestWork.payload>;
      if (work.crash && actor.incarnation === 0) crash(work.crash);
      if (work.poison) throw new Error(`recorder: event ${work.n} is poison`);
      await ctx.db!.query(sql.unsafe`INSERT INTO test_effects (actor_id, event_id, n) VALUES (${actor.id}, ${event.id}, ${work.n})`);
      ctx.state.handled++;
    },
  },
  async start(ctx) {
    if (ctx.config.start === 'throw') throw new Error('recorder: start() fails, as configured');
    if (ctx.config.start === 'exit') process.exit(4);
    if (ctx.config.start === 'hang') await new Promise(() => {});
  },
});
