import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg_ from 'pg';
import { freePort } from '../gateway/free-port.ts';
import { eventually } from '../helpers/events.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { killAllWeavers, runWeaver, startWeaver } from './weaver-process.ts';

// `weaver actors …` against a running `weaver start` (with its gateway) on a test database: every command
// goes through the gateway to the log, to the supervisor and back, and the exit codes are the documented
// ones. With no gateway answering (and no --url) the CLI works on the database directly and says so.
let pg: TestPostgres;
let home: string;
let env: Record<string, string>;
/** The same database, but a port nobody listens on: the CLI's fallback. */
let direct: Record<string, string>;
let gatewayUrl: string;

beforeAll(async () => {
  pg = await startTestPostgres();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-e2e-actors-'));
  const port = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  env = { DATABASE_URL: pg.url, WEAVER_HOME: home, WEAVER_DEFAULT_ACTORS: 'pinger,gateway', WEAVER_PORT: String(port) };
  direct = { ...env, WEAVER_PORT: String(await freePort()) };
  const weaver = startWeaver(env);
  await weaver.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 60_000, '"Weaver is ready"');
  await gatewayUp();
});
afterAll(async () => {
  await killAllWeavers();
  await pg?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

const json = (text: string) => JSON.parse(text) as Record<string, any>;

function gatewayUp(): Promise<true> {
  return eventually(async () => (await fetch(`${gatewayUrl}/healthz`).catch(() => null))?.ok === true || undefined, 30_000, `the gateway at ${gatewayUrl}`);
}

async function sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg_.Client(pg.url);
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const producerOf = async (commandId: string) => (await sql<{ producer: string }>('SELECT producer FROM outbox WHERE id = $1', [commandId]))[0]?.producer;
const FALLBACK = /no gateway at http:\/\/127\.0\.0\.1:\d+; going to the database directly/;

describe('weaver actors, through the gateway', () => {
  it('spawn starts a new actor and list shows it running with a lease holder', async () => {
    const spawned = await runWeaver(['actors', 'spawn', 'ponger', '--id', 'ponger:two', '--json'], env);
    expect(spawned.code, spawned.stderr).toBe(0);
    expect(spawned.stderr).toBe('');
    const outcome = json(spawned.stdout);
    expect(outcome).toMatchObject({ command_type: 'actor.Spawn', actor_id: 'ponger:two', outcome: 'started', answer: { type: 'actor.Started' } });
    expect(await producerOf(outcome.command_id)).toBe('gateway');

    const listed = await runWeaver(['actors', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toBe('');
    const rows = JSON.parse(listed.stdout) as { id: string; state: string; lease_holder: string | null }[];
    expect(rows.map((r) => r.id)).toEqual(['gateway', 'pinger', 'ponger:two']);
    expect(rows.find((r) => r.id === 'ponger:two')).toMatchObject({ state: 'running', lease_holder: expect.any(String) });

    const table = await runWeaver(['actors', 'list'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+KIND\s+STATE\s+RESTARTS\s+LEASE HOLDER\s+OFFSET\s+LAG$/);
    expect(table.stdout).toMatch(/\nponger:two\s+ponger\s+running\s+0\s+\S+/);
  });

  it('restart answers restarted and kill answers stopped', async () => {
    const restarted = await runWeaver(['actors', 'restart', 'ponger:two'], env);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/^ponger:two restarted/);

    const killed = await runWeaver(['actors', 'kill', 'ponger:two', '--json'], env);
    expect(killed.code, killed.stderr).toBe(0);
    expect(json(killed.stdout)).toMatchObject({ outcome: 'stopped', answer: { type: 'actor.Stopped' } });
  });

  it('exits 4 for an unknown kind, an unknown id, a stopped actor, or a refusal by the supervisor', async () => {
    const unknownKind = await runWeaver(['actors', 'spawn', 'nosuchkind', '--json'], env);
    expect(unknownKind.code).toBe(4);
    expect(unknownKind.stdout).toBe('');
    expect(json(unknownKind.stderr)).toMatchObject({ code: 'unknown_kind', message: expect.stringContaining('ponger') });

    const unknownId = await runWeaver(['actors', 'kill', 'ponger:nobody'], env);
    expect(unknownId.code).toBe(4);
    expect(unknownId.stderr).toMatch(/^weaver: rejected: no actor ponger:nobody/);

    const stopped = await runWeaver(['actors', 'kill', 'ponger:two'], env);
    expect(stopped.code).toBe(4);
    expect(stopped.stderr).toMatch(/^weaver: rejected: actor ponger:two is already stopped/);

    // The supervisor's own refusal: the outcome on stdout, as without the gateway.
    const exists = await runWeaver(['actors', 'spawn', 'pinger', '--json'], env);
    expect(exists.code).toBe(4);
    expect(json(exists.stdout)).toMatchObject({ outcome: 'rejected', answer: { type: 'actor.CommandRejected', payload: { error: { code: 'actor_exists' } } } });
    const human = await runWeaver(['actors', 'spawn', 'pinger'], env);
    expect(human.code).toBe(4);
    expect(human.stderr).toMatch(/^weaver: rejected: actor pinger already exists/);
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
    await sql(`INSERT INTO outbox (id, kind, type, version, ts, producer, payload)
      VALUES (gen_random_uuid(), 'bogus', 'demo.Ping', 1, now(), 'by-hand', '{"seq": 1}')`);
    await eventually(async () => {
      const status = await runWeaver(['status', '--json'], env);
      const dl = (json(status.stdout).dead_letters as { consumer: string; count: number; latest_code: string }[]).find((d) => d.consumer === 'ponger:dl');
      return dl?.count === 1 && dl.latest_code === 'invalid_envelope';
    }, 20_000, 'a dead letter for ponger:dl in status');
    const human = await runWeaver(['status'], env);
    expect(human.stdout).toMatch(/dead letters: \d+ \(.*ponger:dl: 1, latest invalid_envelope/);
    expect((await runWeaver(['actors', 'kill', 'ponger:dl'], env)).code).toBe(0);
  });
});

describe('weaver actors, without a gateway', () => {
  it('works on the database directly, with one notice line on stderr', async () => {
    const listed = await runWeaver(['actors', 'list', '--json'], direct);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toMatch(/^no gateway at http:\/\/127\.0\.0\.1:\d+; reading the database directly\n$/);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((r) => r.id)).toContain('pinger');

    const spawned = await runWeaver(['actors', 'spawn', 'ponger', '--id', 'ponger:direct', '--json'], direct);
    expect(spawned.code, spawned.stderr).toBe(0);
    expect(spawned.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(FALLBACK)]);
    const outcome = json(spawned.stdout);
    expect(outcome).toMatchObject({ actor_id: 'ponger:direct', outcome: 'started' });
    expect(await producerOf(outcome.command_id)).toBe('cli');
    expect((await runWeaver(['actors', 'kill', 'ponger:direct'], direct)).code).toBe(0);
  });

  it('with --url, an unreachable gateway is exit 3 rather than a fallback', async () => {
    const result = await runWeaver(['actors', 'list', '--url', `http://127.0.0.1:${direct.WEAVER_PORT}`], direct);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^weaver: no Weaver gateway answers at http:\/\/127\.0\.0\.1:\d+ /);
    expect(result.stderr).not.toMatch(FALLBACK);
  });

  it('times out with exit 5 when no supervisor runs on the database', async () => {
    const quiet = { ...direct, DATABASE_URL: await pg.newDatabase() };
    const result = await runWeaver(['actors', 'spawn', 'ponger', '--timeout', '2s'], quiet);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(FALLBACK);
    expect(result.stderr).toContain('no supervisor acknowledged actor.Spawn ponger within 2s');
  });

  it('exits 3 with a hint to start Weaver when nothing runs for WEAVER_HOME', async () => {
    const result = await runWeaver(['actors', 'list'], { WEAVER_HOME: home, WEAVER_PORT: direct.WEAVER_PORT! });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('npx weaver start');
  });
});

describe('the gateway actor itself', () => {
  it('restarts through itself, and once killed comes back with a restart on the database', async () => {
    const restarted = await runWeaver(['actors', 'restart', 'gateway'], env);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/^gateway restarted/);
    await gatewayUp();

    const killed = await runWeaver(['actors', 'kill', 'gateway', '--json'], env);
    expect(killed.code, killed.stderr).toBe(0);
    expect(json(killed.stdout)).toMatchObject({ actor_id: 'gateway', outcome: 'stopped' });

    const revived = await runWeaver(['actors', 'restart', 'gateway'], env);
    expect(revived.code, revived.stderr).toBe(0);
    expect(revived.stderr).toMatch(FALLBACK);
    expect(revived.stdout).toMatch(/^gateway restarted/);
    await gatewayUp();
    const listed = await runWeaver(['actors', 'list', '--json'], env);
    expect(listed.stderr).toBe('');
    expect((JSON.parse(listed.stdout) as { id: string; state: string }[]).find((r) => r.id === 'gateway')).toMatchObject({ state: 'running' });
  });
});
