// Ponger owns the demo reply: it consumes demo.Ping and answers each with one demo.Pong, counting the
// pings it has seen in its state snapshot. It must never write a table or keep state outside its snapshot
// (its count after a restart comes only from the snapshot and the events after it).
import { DemoPing, DemoPong, makeEvent, type PayloadOf } from '../../protocol/index.ts';
import { defineActor } from '../../runtime/actor/define.ts';

interface State {
  count: number;
}

export default defineActor<State>({
  kind: 'ponger',
  subscribe: {
    types: [DemoPing.type],
    initialState: () => ({ count: 0 }),
    handle(event, ctx, actor) {
      const ping = event.payload as PayloadOf<typeof DemoPing>;
      ctx.state.count++;
      ctx.emit(makeEvent(DemoPong, { seq: ping.seq, ping_id: event.id, count: ctx.state.count }, actor.id, {}, event));
      // A sign of life on the console of `npm start`, not too chatty (a batch may be retried: then it repeats).
      if (ctx.state.count % 10 === 0) actor.log.info({ seq: ping.seq, count: ctx.state.count }, `answered ${ctx.state.count} pings through Postgres`);
    },
  },
});
