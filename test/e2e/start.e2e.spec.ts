import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpAfterCrash } from '../../runtime/db/embedded.ts';
import { eventually } from '../helpers/events.ts';
import { killAllWeavers, processesMentioning, startWeaver, type WeaverProcess } from './weaver-process.ts';

// `weaver start` with no DATABASE_URL, as a user runs it: embedded Postgres under a fresh WEAVER_HOME, the
// demo actors pinging and ponging, Ctrl-C, start again, and recovery after a kill -9.
let home: string;
// A short lease TTL: after the kill -9 the dead supervisor's leases expire in 3 s rather than 10 s.
// The backtest actors and the demo pair (whose pongs show events flowing through Postgres).
const ACTORS = ['router', 'clock', 'greta', 'walle', 'pinger', 'ponger'];
const env = () => ({ WEAVER_HOME: home, WEAVER_LEASE_TTL_MS: '3000', WEAVER_DEFAULT_ACTORS: ACTORS.join(',') });

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-e2e-start-'));
});
afterAll(async () => {
  await killAllWeavers();
  await cleanUpAfterCrash(home).catch(() => {}); // the postgres a killed weaver may have left
  await fs.rm(home, { recursive: true, force: true });
});

async function url(): Promise<string> {
  const info = JSON.parse(await fs.readFile(path.join(home, 'pg', 'connection.json'), 'utf8')) as { url: string };
  return info.url;
}

/** How many demo.Pong rows the log holds and the highest `count` the ponger has reached. */
async function pongs(): Promise<{ rows: number; maxCount: number }> {
  const client = new pg.Client({ connectionString: await url() });
  await client.connect();
  try {
    const r = await client.query<{ rows: string; max_count: number | null }>(
      `SELECT count(*) AS rows, max((payload->>'count')::int) AS max_count FROM outbox WHERE type = 'demo.Pong'`,
    );
    return { rows: Number(r.rows[0]!.rows), maxCount: r.rows[0]!.max_count ?? 0 };
  } finally {
    await client.end();
  }
}

async function startAndSeePongsAbove(rows: number): Promise<WeaverProcess> {
  const weaver = startWeaver(env());
  await weaver.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 60_000, '"Weaver is ready"');
  await eventually(async () => (await pongs()).rows > rows + 1, 20_000, `demo.Pong rows beyond ${rows}`);
  return weaver;
}

async function interruptAndExpectCleanExit(weaver: WeaverProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  const sentAt = performance.now();
  weaver.child.kill(signal);
  const { code } = await weaver.exited;
  expect(code, weaver.stderr()).toBe(0);
  expect(performance.now() - sentAt).toBeLessThan(8_000);
  expect(weaver.lines.some((l) => l.msg === 'Weaver stopped')).toBe(true);
  // No postgres (its command line names the data dir) nor anything else started for this home is left.
  expect(processesMentioning(home)).toEqual([]);
}

describe('weaver start', () => {
  let before = { rows: 0, maxCount: 0 };

  it('starts an embedded Postgres, runs the demo actors, and exits 0 on SIGINT leaving no process behind', async () => {
    const weaver = await startAndSeePongsAbove(0);
    const ready = weaver.lines.find((l) => l.msg?.startsWith('Weaver is ready'))!;
    expect(ready.actors).toEqual(ACTORS);
    expect(String(ready.database)).toContain(':***@'); // the password never reaches the log
    await interruptAndExpectCleanExit(weaver);
  });

  it('keeps its data across a restart: the ponger count goes on; SIGHUP stops it cleanly too', async () => {
    const weaver = startWeaver(env());
    await weaver.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 60_000, '"Weaver is ready"');
    before = await pongs();
    expect(before.rows).toBeGreaterThan(0); // the first run's pongs are still there
    await eventually(async () => (await pongs()).maxCount > before.maxCount + 1, 20_000, 'new pongs');
    const after = await pongs();
    // The ponger's count comes from its snapshot: it continues instead of starting over at 1.
    expect(after.maxCount).toBe(after.rows);
    // SIGHUP, as when the terminal Weaver runs in is closed: the same clean shutdown, no orphan postgres.
    await interruptAndExpectCleanExit(weaver, 'SIGHUP');
  });

  it('starts again after a kill -9, stopping the postgres the dead process left behind', async () => {
    const first = startWeaver(env());
    await first.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 60_000, '"Weaver is ready"');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(processesMentioning(home).length).toBeGreaterThan(0); // the orphaned postgres

    const rows = (await pongs()).rows; // the orphan still answers
    const second = startWeaver(env());
    await second.waitForLog((l) => l.msg?.startsWith('Stopping postgres pid') === true, 60_000, 'the orphan being stopped');
    await second.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 60_000, '"Weaver is ready"');
    await eventually(async () => (await pongs()).rows > rows + 1, 20_000, 'pongs after recovery');
    await interruptAndExpectCleanExit(second);
  });
});
