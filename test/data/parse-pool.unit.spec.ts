// The worker-pool parse cuts files at line boundaries: whatever the chunk size, it must give the in-thread
// parse's rows, warnings and line numbers (blank lines, CRLF, no final newline, rows out of order).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCandleFile } from '../../runtime/data/parse-pool.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-parse-pool-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = path.join(tmp, name);
  await fs.writeFile(p, text);
  return p;
}

// 40 distinct hours in a shuffled order (17 and 40 are coprime), as `…Z` date-times.
const hour = (i: number) => new Date(Date.UTC(2024, 0, 1) + ((i * 17) % 40) * 3_600_000).toISOString();
const rows = Array.from({ length: 40 }, (_, i) => `${hour(i)},${10 + i},${12 + i},${9 + i},${11 + i},${i}`);
const TEXT = '\uFEFF\r\nDatetime,Open,High,Low,Close,Volume\r\n' + rows.map((r, i) => (i % 9 === 4 ? `${r}\r\n\r\n` : `${r}\r\n`)).join('').trimEnd();

describe('parseCandleFile in the worker pool', () => {
  it('gives the in-thread rows and warnings for any chunk size', async () => {
    const p = await file('mixed.csv', TEXT);
    const inThread = await parseCandleFile(p, { timeframe: '1h' });
    expect(inThread.threads).toBe(0);
    expect(inThread.rows).toBe(40);
    expect(inThread.warnings[0]).toMatch(/^rows were not in time order/);
    for (const chunkBytes of [1, 50, 333, 100_000]) {
      const pooled = await parseCandleFile(p, { timeframe: '1h', poolThresholdBytes: 0, chunkBytes });
      expect(pooled.threads, `chunk ${chunkBytes}`).toBeGreaterThan(0);
      expect(pooled.columns, `chunk ${chunkBytes}`).toEqual(inThread.columns);
      expect(pooled.warnings, `chunk ${chunkBytes}`).toEqual(inThread.warnings);
    }
  });

  it('reports the same line as the in-thread parse, the earliest bad one in the file', async () => {
    const bad = TEXT.split('\r\n');
    bad[30] = bad[30]!.replace(/,\d+$/, ',-1'); // line 31
    bad[40] = 'garbage'; // line 41: a later problem in another chunk is not the one reported
    const p = await file('bad.csv', bad.join('\r\n'));
    const inThread = await parseCandleFile(p, { timeframe: '1h' }).catch((e: { details: unknown }) => e.details);
    expect(inThread).toEqual({ line: 31, reason: 'volume -1 is negative' });
    for (const chunkBytes of [1, 120, 1000]) {
      await expect(parseCandleFile(p, { timeframe: '1h', poolThresholdBytes: 0, chunkBytes })).rejects.toMatchObject({ details: inThread });
    }
  });

  it('refuses a file with a header only, or nothing at all, in the pool too', async () => {
    await expect(parseCandleFile(await file('header.csv', 'Date,Open,High,Low,Close\n\n'), { timeframe: '1d', poolThresholdBytes: 0 })).rejects.toMatchObject({
      details: { line: 1, reason: 'the file has a header but no rows' },
    });
    await expect(parseCandleFile(await file('empty.csv', ''), { timeframe: '1d', poolThresholdBytes: -1 })).rejects.toMatchObject({ details: { line: 1 } });
  });
});
