import * as v from 'valibot';
import { defineEvent } from '../../protocol/index.ts';

/** The benchmark's own event: `t` is the send time in ms (performance.timeOrigin + now), comparable across threads. */
export const BenchSent = defineEvent('bench.Sent', 'evt', v.object({ seq: v.number(), t: v.number() }));

export const nowMs = (): number => performance.timeOrigin + performance.now();
