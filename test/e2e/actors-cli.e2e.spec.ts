import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg_ from 'pg';
import { eventually } from '../helpers/events.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { killAllWeavers, runWeaver, startWeaver } from './weaver-process.ts';

// `weaver actors …` against a running `weaver start` on a test database: every command goes through the
// log to the supervisor and back, and the exit codes are the documented ones.
let pg: TestPostgres;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  pg = await startTestPostgres();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-e2e-actors-'));
  env = { DATABASE_URL: pg.url, WEAVER_HOME: home, WEAVER_DEFAULT_ACTORS: 'pinger' };
  const weaver = startWeaver(env);
  await weaver.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 60_000, '"Weaver is ready"');
});
afterAll(async () => {
  await killAllWeavers();
  await pg?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('weaver actors', () => {
  it('spawn starts a new actor and list shows it running with a lease holder', async () => {
    const spawned = await runWeaver(['actors', 'spawn', 'ponger', '--id', 'ponger:two', '--json'], env);
    expect(spawned.code, spawned.stderr).toBe(0);
    expect(json(spawned.stdout)).toMatchObject({ command_type: 'actor.Spawn', actor_id: 'ponger:two', outcome: 'started' });

    const listed = await runWeaver(['actors', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as { id: string; state: string; lease_holder: string | null }[];
    expect(rows.map((r) => r.id)).toEqual(['pinger', 'ponger:two']);
    expect(rows.find((r) => r.id === 'ponger:two')).toMatchObject({ state: 'running', lease_holder: expect.any(String) });
  });

  it('restart answers restarted and kill answers stopped', async () => {
    const restarted = await runWeaver(['actors', 'restart', 'ponger:two'], env);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/^ponger:two restarted/);

    const killed = await runWeaver(['actors', 'kill', 'ponger:two', '--json'], env);
    expect(killed.code, killed.stderr).toBe(0);
    expect(json(killed.stdout)).toMatchObject({ outcome: 'stopped', answer: { type: 'actor.Stopped' } });
  });

  it('exits 4 with the supervisor reason for an unknown kind or an unknown id', async () => {
    const unknownKind = await runWeaver(['actors', 'spawn', 'nosuchkind', '--json'], env);
    expect(unknownKind.code).toBe(4);
    expect(json(unknownKind.stdout)).toMatchObject({ outcome: 'rejected', answer: { payload: { error: { code: 'unknown_kind' } } } });

    const unknownId = await runWeaver(['actors', 'kill', 'ponger:nobody'], env);
    expect(unknownId.code).toBe(4);
    expect(unknownId.stderr).toMatch(/^weaver: rejected: no actor ponger:nobody/);
  });

  it('exits 2 on bad --config JSON without touching the log', async () => {
    const bad = await runWeaver(['actors', 'spawn', 'ponger', '--config', '{not json', '--json'], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(json(bad.stderr)).toMatchObject({ code: 'bad_usage', message: expect.stringContaining('--config is not valid JSON') });
  });

  it('reports a live supervisor in status', async () => {
    const status = await runWeaver(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(json(status.stdout)).toMatchObject({ database: { reachable: true }, migrations: { pending: [] }, alive: 1 });
  });

  it('counts dead letters in status: a malformed event inserted by hand is parked with its reason', async () => {
    const spawned = await runWeaver(['actors', 'spawn', 'ponger', '--id', 'ponger:dl'], env);
    expect(spawned.code, spawned.stderr).toBe(0);
    const client = new pg_.Client(pg.url);
    await client.connect();
    await client.query(`INSERT INTO outbox (id, kind, type, version, ts, producer, payload)
      VALUES (gen_random_uuid(), 'bogus', 'demo.Ping', 1, now(), 'by-hand', '{"seq": 1}')`);
    await client.end();
    await eventually(async () => {
      const status = await runWeaver(['status', '--json'], env);
      const dl = (json(status.stdout).dead_letters as { consumer: string; count: number; latest_code: string }[]).find((d) => d.consumer === 'ponger:dl');
      return dl?.count === 1 && dl.latest_code === 'invalid_envelope';
    }, 20_000, 'a dead letter for ponger:dl in status');
    const human = await runWeaver(['status'], env);
    expect(human.stdout).toMatch(/dead letters: \d+ \(.*ponger:dl: 1, latest invalid_envelope/);
    expect((await runWeaver(['actors', 'kill', 'ponger:dl'], env)).code).toBe(0);
  });

  it('times out with exit 5 when no supervisor runs on the database', async () => {
    const quiet = { ...env, DATABASE_URL: await pg.newDatabase() };
    const result = await runWeaver(['actors', 'spawn', 'ponger', '--timeout', '2s'], quiet);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('no supervisor acknowledged actor.Spawn ponger within 2s');
  });

  it('exits 3 with a hint to start Weaver when nothing runs for WEAVER_HOME', async () => {
    const result = await runWeaver(['actors', 'list'], { WEAVER_HOME: home });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('npx weaver start');
  });
});
