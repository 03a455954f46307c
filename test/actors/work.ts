// test.Work: the event the recorder consumes. Imported by the recorder module (in its worker) and by the
// tests (in their thread), so the type is registered wherever it is appended or read.
import * as v from 'valibot';
import { defineEvent, makeEvent, type Envelope } from '../../protocol/index.ts';

export const CRASH_KINDS = ['throw', 'exit', 'loop', 'oom'] as const;
export type CrashKind = (typeof CRASH_KINDS)[number];

/** `crash` crashes the first incarnation only; `poison` makes the handler throw every time. */
export const TestWork = defineEvent('test.Work', 'evt', v.object({ n: v.number(), crash: v.optional(v.picklist(CRASH_KINDS)), poison: v.optional(v.boolean()) }));

export function work(from: number, count: number, crashAt?: { n: number; crash: CrashKind }): Envelope[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return makeEvent(TestWork, crashAt?.n === n ? { n, crash: crashAt.crash } : { n }, 'test');
  });
}

export const RECORDER_URL = new URL('./recorder.ts', import.meta.url).href;
export const CREATE_TEST_EFFECTS = `CREATE TABLE IF NOT EXISTS test_effects (
  actor_id text NOT NULL, event_id uuid NOT NULL, n integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`;
