import * as v from 'valibot';
import { defineEvent } from './registry.ts';

/** demo.*: what the demo actors exchange so a fresh `npm start` shows events flowing through Postgres. */
export const DemoPing = defineEvent('demo.Ping', 'evt', v.object({ seq: v.pipe(v.number(), v.integer(), v.minValue(0)) }));
export const DemoPong = defineEvent('demo.Pong', 'evt', v.object({ seq: v.pipe(v.number(), v.integer()), ping_id: v.string(), count: v.number() }));
