// `weaver start` on a database without candles writes the demo year before starting the supervisor: Ctrl-C in
// the middle exits cleanly and quickly leaving no rows, the next start writes all 1,576,800 bars, and the
// start after that leaves them alone.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg_ from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { killAllWeavers, startWeaver, type WeaverProcess } from './weaver-process.ts';

let pg: TestPostgres;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  pg = await startTestPostgres();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-e2e-seed-'));
  env = { DATABASE_URL: pg.url, WEAVER_HOME: home, WEAVER_DEFAULT_ACTORS: 'pinger', WEAVER_DEMO_DATA: 'true' };
});
afterAll(async () => {
  await killAllWeavers();
  await pg?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

async function query<R>(text: string): Promise<R[]> {
  const client = new pg_.Client({ connectionString: pg.url });
  await client.connect();
  try {
    return (await client.query(text)).rows as R[];
  } finally {
    await client.end();
  }
}

const candleCounts = () => query<{ symbol: string; n: string }>('SELECT symbol, count(*) AS n FROM candles GROUP BY symbol ORDER BY symbol');
const importedEvents = () => query<{ symbol: string }>(`SELECT payload->>'symbol' AS symbol FROM outbox WHERE type = 'data.CandlesImported' ORDER BY position`);
const said = (weaver: WeaverProcess, start: string) => weaver.lines.some((l) => l.msg?.startsWith(start) === true);

async function stop(weaver: WeaverProcess): Promise<number> {
  const sentAt = performance.now();
  weaver.child.kill('SIGINT');
  const { code } = await weaver.exited;
  expect(code, weaver.stderr()).toBe(0);
  expect(said(weaver, 'Weaver stopped')).toBe(true);
  return performance.now() - sentAt;
}

describe('weaver start with WEAVER_DEMO_DATA=true', () => {
  it('stops cleanly mid-seed, seeds the whole year on the next start, and never again after', async () => {
    const interrupted = startWeaver(env);
    await interrupted.waitForLog((l) => l.msg?.startsWith('demo data: 10%') === true, 120_000, 'seeding under way');
    expect(await stop(interrupted)).toBeLessThan(8_000);
    expect(said(interrupted, 'demo data: interrupted, nothing was written')).toBe(true);
    expect(said(interrupted, 'Weaver is ready')).toBe(false);
    expect(await candleCounts()).toEqual([]);
    expect(await importedEvents()).toEqual([]);

    const seeding = startWeaver(env);
    await seeding.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 240_000, '"Weaver is ready" after seeding');
    expect(said(seeding, 'demo data: 1,576,800 bars of DEMO_ACME, DEMO_GLOBEX, DEMO_INITECH written in')).toBe(true);
    expect(await candleCounts()).toEqual(['DEMO_ACME', 'DEMO_GLOBEX', 'DEMO_INITECH'].map((symbol) => ({ symbol, n: '525600' })));
    expect(await importedEvents()).toEqual([{ symbol: 'DEMO_ACME' }, { symbol: 'DEMO_GLOBEX' }, { symbol: 'DEMO_INITECH' }]);
    await stop(seeding);

    const again = startWeaver(env);
    await again.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 60_000, '"Weaver is ready"');
    expect(said(again, 'demo data:')).toBe(false);
    await stop(again);
    expect((await importedEvents()).length).toBe(3);
  }, 480_000);
});
