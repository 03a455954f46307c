// Pinger owns the demo heartbeat of the log: one demo.Ping {seq} every `interval_ms`, seq going on across
// restarts and takeovers. It writes no table and handles no events; it must never block its event loop
// (it is an infrastructure actor, so it may use a timer, which a strategy never may).
import { setTimeout as sleep } from 'node:timers/promises';
import { v5 as uuidv5 } from 'uuid';
import * as v from 'valibot';
import { DemoPing, makeEvent } from '../../protocol/index.ts';
import { defineActor, type ActorContext } from '../../runtime/actor/define.ts';
import { sql } from '../../runtime/db/pool.ts';

const Config = v.object({ interval_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(10, 'interval_ms must be at least 10')), 1000) });
type Config = v.InferOutput<typeof Config>;

/** Ping ids are a function of (actor, seq): a retried or doubled publish of one seq is a no-op in the log. */
const PING_NAMESPACE = '6f1c3b0e-8a43-4a3e-9d7e-2f4b8d1c5a90';

/** The last seq this pinger appended. Log order is seq order: each ping commits before the next is sent. */
async function lastSeq(ctx: ActorContext<Config>): Promise<number> {
  return ctx.transaction(async (tx) => {
    if (!tx.db) return -1; // the memory log: start from 0
    const seq = await tx.db.maybeOneFirst(sql.type(v.object({ seq: v.number() }))`
      SELECT (payload->>'seq')::int AS seq FROM outbox WHERE type = ${DemoPing.type} AND producer = ${ctx.id}
      ORDER BY tx DESC, position DESC LIMIT 1`);
    return seq ?? -1;
  });
}

async function pingForever(ctx: ActorContext<Config>, first: number): Promise<void> {
  let seq = first;
  while (!ctx.signal.aborted) {
    try {
      await sleep(ctx.config.interval_ms, undefined, { signal: ctx.signal });
      const id = uuidv5(`${ctx.id}/${seq}`, PING_NAMESPACE);
      await ctx.publish([makeEvent(DemoPing, { seq }, ctx.id, { id })]);
      seq++;
    } catch (error) {
      if (ctx.signal.aborted) return;
      // The database is away: the same seq goes again next time (same id, so never twice in the log).
      ctx.log.warn({ err: error, seq }, 'could not publish demo.Ping; retrying');
    }
  }
}

export default defineActor<never, Config>({
  kind: 'pinger',
  configSchema: Config,
  async start(ctx) {
    const next = (await lastSeq(ctx)) + 1;
    ctx.log.info({ next, intervalMs: ctx.config.interval_ms }, 'pinging');
    void pingForever(ctx, next);
  },
});
