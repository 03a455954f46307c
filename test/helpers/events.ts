import * as v from 'valibot';
import { defineEvent, makeEvent, type Envelope } from '../../protocol/index.ts';

/** Event types used only by tests. */
export const TestItem = defineEvent('test.Item', 'evt', v.object({ n: v.number(), producer: v.optional(v.number()) }));
export const TestEcho = defineEvent('test.Echo', 'evt', v.object({ n: v.number(), sum: v.number() }));

export function items(from: number, count: number, producer?: number): Envelope[] {
  return Array.from({ length: count }, (_, i) => makeEvent(TestItem, { n: from + i, producer }, 'test'));
}

export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
