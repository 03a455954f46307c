import { describe, expect, it } from 'vitest';
import { createMemoryEventLog } from '../../runtime/eventlog/index.ts';
import { eventually, items } from '../helpers/events.ts';
import { eventLogContract } from './contract.ts';

describe('memory event log', () => {
  eventLogContract(async () => createMemoryEventLog());

  it('dead-letters a malformed envelope and an unknown type and goes on', async () => {
    const log = createMemoryEventLog();
    const [good] = items(1, 1);
    log.appendRaw({ ...items(2, 1)[0]!, kind: 'bogus' });
    log.appendRaw({ ...items(3, 1)[0]!, type: 'test.Unknown' });
    await log.publish([good!]);
    const seen: number[] = [];
    const c = log.subscribe({ name: 'dl', types: ['test.*'], initialState: () => ({}), pollIntervalMs: 20 }, (e) => void seen.push((e.payload as { n: number }).n));
    await eventually(() => seen.length === 1, 5000, 'the good event');
    await c.stop();
    expect(log.deadLetters().map((d) => d.letter.error.code).sort()).toEqual(['invalid_envelope', 'unknown_type']);
  });
});
