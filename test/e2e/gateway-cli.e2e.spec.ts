import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg_ from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../gateway/free-port.ts';
import { eventually } from '../helpers/events.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { cleanEnv, killAllWeavers, runWeaver, startWeaver, type WeaverProcess } from './weaver-process.ts';

// The CLI through a running Weaver's gateway: one `weaver start` (router, clock, greta, walle, gateway) on a
// free port; `weaver backtest` creates its run over POST /runs and follows it over SSE, giving what the
// standalone mode gives on the same bars; `runs list|show|start|stop` ask the gateway (and fall back to the
// database when none answers); `events tail` pages the REST tail and, with --follow, streams until Ctrl-C,
// resuming after a dropped connection without losing or repeating an event.
const MAIN = fileURLToPath(new URL('../../runtime/cli/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

let pg: TestPostgres;
let home: string;
let env: Record<string, string>;
/** The same database with no gateway at the configured address (a port nobody listens on). */
let noGateway: Record<string, string>;
let closedUrl: string;
let gatewayUrl: string;
let weaver: WeaverProcess;
const followers = new Set<ChildProcess>();

const json = (text: string) => JSON.parse(text) as Record<string, any>;
const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
const BT = ['--symbol', 'GWTEST', '--timeframe', '1d', '--strategy', 'sma_cross', '--param', 'fast=3', '--param', 'slow=10', '--param', 'qty=2', '--commission-rate', '0.001', '--json'];
/** Request-log lines of the gateway in `weaver start`'s output, e.g. "POST /runs 202 12ms". */
const requests = (prefix: string) => weaver.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(prefix)).length;

/** 200 daily bars of a slow wave: enough crossings for sma_cross to trade a dozen times. */
function csv(): string {
  const rows = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < 200; i++) {
    const day = new Date(Date.UTC(2006, 0, 2) + i * 86_400_000).toISOString().slice(0, 10);
    const close = 100 + 10 * Math.sin(i / 7) + i * 0.05;
    const open = close - 0.5 * Math.cos(i / 3);
    rows.push(`${day},${open.toFixed(2)},${(Math.max(open, close) + 1).toFixed(2)},${(Math.min(open, close) - 1).toFixed(2)},${close.toFixed(2)},${1000 + i}`);
  }
  return rows.join('\n') + '\n';
}

async function count(sql: string): Promise<number> {
  const client = new pg_.Client({ connectionString: pg.url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  pg = await startTestPostgres();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-e2e-gateway-cli-'));
  const port = await freePort();
  const closed = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  closedUrl = `http://127.0.0.1:${closed}`;
  env = { DATABASE_URL: pg.url, WEAVER_HOME: home, WEAVER_DEFAULT_ACTORS: 'router,clock,greta,walle,gateway', WEAVER_DEMO_DATA: 'false', WEAVER_PORT: String(port) };
  noGateway = { ...env, WEAVER_PORT: String(closed) };
  weaver = startWeaver(env);
  await weaver.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 90_000, '"Weaver is ready"');
  await weaver.waitForLog((l) => l.msg?.startsWith('gateway listening') === true, 30_000, '"gateway listening"');
  const file = path.join(home, 'gwtest-1d.csv');
  await fs.writeFile(file, csv());
  const imported = await runWeaver(['data', 'import', file, '--symbol', 'GWTEST', '--timeframe', '1d', '--json'], env, 60_000);
  expect(imported.code, imported.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  for (const f of followers) f.kill('SIGKILL');
  await killAllWeavers();
  await pg?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

let runId = '';
let viaGateway: Record<string, any>;

describe('weaver backtest through the gateway', () => {
  it('creates the run over POST /runs, follows it to the end and prints what the standalone mode prints', async () => {
    const before = requests('POST /runs 202');
    const via = await runWeaver(['backtest', ...BT], env, 120_000);
    expect(via.code, via.stderr).toBe(0);
    viaGateway = json(via.stdout);
    runId = viaGateway.run_id;
    expect(viaGateway).toMatchObject({ status: 'completed', instance_status: 'completed', strategy: 'sma_cross', symbols: ['GWTEST'] });
    expect(viaGateway.fills.length).toBeGreaterThan(4);
    // The gateway path: the gateway logged the POST, and no supervisor but weaver start's ever ran.
    expect(requests('POST /runs 202')).toBe(before + 1);
    expect(await count('SELECT count(*) AS n FROM supervisors')).toBe(1);
    const listed = (await (await fetch(`${gatewayUrl}/runs`)).json()) as { items: { id: string; status: string }[] };
    expect(listed.items.find((r) => r.id === runId)).toMatchObject({ status: 'completed' });

    // Standalone on the same bars (no gateway at the configured address; it uses weaver start's actors).
    const alone = await runWeaver(['backtest', ...BT], noGateway, 120_000);
    expect(alone.code, alone.stderr).toBe(0);
    const s = json(alone.stdout);
    expect(requests('POST /runs 202')).toBe(before + 1);
    expect(s.run_id).not.toBe(runId);
    expect(s.final_equity).toBe(viaGateway.final_equity);
    // Byte for byte the same output, but for the ids of the run, its instance, its orders and fills.
    const ids = (x: Record<string, any>) => [x.run_id, x.instance_id, ...x.orders.map((o: any) => o.order_id), ...x.fills.map((f: any) => f.fill_id)] as string[];
    const anonymous = (text: string, x: Record<string, any>) => ids(x).reduce((t, id, i) => t.split(id).join(`#${i}`), text);
    expect(anonymous(via.stdout, viaGateway)).toBe(anonymous(alone.stdout, s));

    // The human table is the standalone one.
    const human = await runWeaver(['backtest', ...BT.filter((a) => a !== '--json')], env, 120_000);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`final equity ${viaGateway.final_equity.toFixed(2)}, cash ${viaGateway.cash.toFixed(2)}, ${viaGateway.fills.length} fills`));
    expect(human.stderr).toMatch(/run \S+ in the Weaver at http:\/\/127\.0\.0\.1:\d+ \(Ctrl-C stops following it, not the run\)/);
  }, 300_000);

  it('--data imports into the database first, then runs through the gateway', async () => {
    const before = requests('POST /runs 202');
    const file = path.join(home, 'gwdata-1d.csv');
    await fs.writeFile(file, csv());
    const r = await runWeaver(['backtest', '--data', file, ...BT.map((a) => (a === 'GWTEST' ? 'GWDATA' : a))], env, 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/imported 200 1d bars of GWDATA/);
    expect(requests('POST /runs 202')).toBe(before + 1);
    expect(json(r.stdout)).toMatchObject({ status: 'completed', symbols: ['GWDATA'], final_equity: viaGateway.final_equity });
  }, 120_000);

  it('refuses bad input from the gateway with its code, and an explicit --url that does not answer with exit 3', async () => {
    const missing = await runWeaver(['backtest', '--strategy', 'sma_cross', '--symbol', 'NOSUCH', '--timeframe', '1d', '--json'], env);
    expect(missing.code).toBe(2);
    expect(json(missing.stderr)).toMatchObject({ code: 'missing_data', message: expect.stringContaining('NOSUCH has no bars at all') });
    const gone = await runWeaver(['backtest', ...BT, '--url', closedUrl], env);
    expect(gone.code).toBe(3);
    expect(json(gone.stderr)).toMatchObject({ code: 'gateway_unreachable' });
  });
});

describe('weaver runs through the gateway', () => {
  it('lists and shows runs over REST, and falls back to the database when no gateway answers', async () => {
    const before = requests('GET /runs 200');
    const list = await runWeaver(['runs', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toBe('');
    expect(requests('GET /runs 200')).toBe(before + 1);
    const items = JSON.parse(list.stdout) as Record<string, any>[];
    expect(items.find((r) => r.id === runId)).toEqual({
      id: runId,
      mode: 'backtest',
      status: 'completed',
      name: null,
      timeframe: '1d',
      from: '2006-01-02T00:00:00.000Z',
      to: expect.stringMatching(/^2006-07-20T/),
      instances: [{ instance_id: viaGateway.instance_id, strategy: 'sma_cross', params: expect.objectContaining({ fast: 3, slow: 10, qty: 2 }), symbols: ['GWTEST'] }],
      created_at: expect.stringMatching(/Z$/),
      started_at: expect.stringMatching(/Z$/),
      ended_at: expect.stringMatching(/Z$/),
      error: null,
    });

    const direct = await runWeaver(['runs', 'list', '--json'], noGateway);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stderr).toBe(`no gateway at ${closedUrl}; reading the database directly\n`);
    expect(JSON.parse(direct.stdout)).toEqual(items);

    const show = await runWeaver(['runs', 'show', runId, '--json'], env);
    expect(show.code, show.stderr).toBe(0);
    const shown = json(show.stdout);
    expect(shown).toMatchObject({ run_id: runId, status: 'completed', final_equity: viaGateway.final_equity, cash: viaGateway.cash, instance_statuses: [{ instance_id: viaGateway.instance_id, status: 'completed' }] });
    expect(shown.fills).toEqual(viaGateway.fills);
    const showDirect = await runWeaver(['runs', 'show', runId, '--json'], noGateway);
    expect(json(showDirect.stdout)).toEqual(shown);
    const human = await runWeaver(['runs', 'show', runId], env);
    expect(human.stdout).toMatch(new RegExp(`^run ${runId}: completed\\n`));
    expect(human.stdout).toMatch(/Sharpe/);

    const unknown = await runWeaver(['runs', 'show', '01a20000-0000-7000-8000-000000000000', '--json'], env);
    expect(unknown.code).toBe(2);
    expect(json(unknown.stderr)).toMatchObject({ code: 'not_found' });
    const gone = await runWeaver(['runs', 'list', '--url', closedUrl, '--json'], env);
    expect(gone.code).toBe(3);
    expect(json(gone.stderr)).toMatchObject({ code: 'gateway_unreachable', message: expect.stringContaining(closedUrl) });
  }, 120_000);

  it('starts a created run through the gateway and, with none answering, through the log directly', async () => {
    const create = async () => {
      const res = await fetch(`${gatewayUrl}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ timeframe: '1d', instances: [{ strategy: 'sma_cross', symbols: ['GWTEST'], params: { fast: 3, slow: 10 } }], start: false }),
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { run_id: string }).run_id;
    };
    const [a, b] = [await create(), await create()];
    const viaGateway = await runWeaver(['runs', 'start', a, '--json'], env);
    expect(viaGateway.code, viaGateway.stderr).toBe(0);
    expect(json(viaGateway.stdout)).toMatchObject({ run_id: a, start_requested: true, event_id: expect.any(String) });
    const direct = await runWeaver(['runs', 'start', b], noGateway);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toBe(`start requested for run ${b} (it was created); follow it with weaver runs show ${b}\n`);
    expect(direct.stderr).toMatch(/^no gateway at .*; appending to the log in the database directly\n$/);
    for (const id of [a, b]) {
      await eventually(async () => ((await (await fetch(`${gatewayUrl}/runs/${id}`)).json()) as { status: string }).status === 'completed', 60_000, `run ${id} completed`);
    }
    const again = await runWeaver(['runs', 'start', a, '--json'], env);
    expect(again.code).toBe(4);
  }, 180_000);

  it('refuses to stop or start a finished run with exit 4, through the gateway and directly', async () => {
    const stop = await runWeaver(['runs', 'stop', runId, '--json'], env);
    expect(stop.code).toBe(4);
    expect(json(stop.stderr)).toMatchObject({ code: 'run_finished', message: `run ${runId} is already completed; there is nothing to stop`, correlation_id: expect.any(String) });
    const start = await runWeaver(['runs', 'start', runId, '--json'], env);
    expect(start.code).toBe(4);
    expect(json(start.stderr)).toMatchObject({ code: 'run_finished' });
    const startDirect = await runWeaver(['runs', 'start', runId], noGateway);
    expect(startDirect.code).toBe(4);
    expect(startDirect.stderr).toMatch(/only a created run can be started/);
    expect(await count(`SELECT count(*) AS n FROM outbox WHERE type IN ('run.StopRequested', 'run.StartRequested') AND run_id = '${runId}'`)).toBe(1); // its own start only
  });
});

describe('Ctrl-C and stop through the gateway', () => {
  it('Ctrl-C stops following a backtest, not the run; weaver runs stop then stops it over POST /runs/:id/stop', async () => {
    const demo = await runWeaver(['data', 'demo', '--symbols', '1', '--days', '60', '--json'], env, 120_000);
    expect(demo.code, demo.stderr).toBe(0);
    const child = spawn(process.execPath, [MAIN, 'backtest', '--strategy', 'sma_cross', '--symbol', 'DEMO_ACME', '--timeframe', '1m', '--param', 'fast=3', '--param', 'slow=12', '--json'], { cwd: REPO, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    followers.add(child);
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const running = await eventually(async () => {
      const { items } = (await (await fetch(`${gatewayUrl}/runs`)).json()) as { items: { id: string; status: string; instances: { symbols: string[] }[] }[] };
      return items.find((r) => r.status === 'running' && r.instances[0]!.symbols[0] === 'DEMO_ACME');
    }, 60_000, 'the demo backtest running');
    const id = running.id;

    child.kill('SIGINT');
    expect(await exited).toBe(1);
    followers.delete(child);
    expect(json(err.trimEnd().split('\n').at(-1)!)).toMatchObject({ code: 'interrupted', message: expect.stringContaining(`stop it with weaver runs stop ${id}`) });

    const stop = await runWeaver(['runs', 'stop', id, '--json'], env);
    expect(stop.code, stop.stderr).toBe(0);
    expect(json(stop.stdout)).toMatchObject({ run_id: id, stop_requested: true, event_id: expect.any(String) });
    expect(await count(`SELECT count(*) AS n FROM outbox WHERE type = 'run.StopRequested' AND run_id = '${id}' AND producer = 'gateway'`)).toBe(1);
    await eventually(async () => ((await (await fetch(`${gatewayUrl}/runs/${id}`)).json()) as { status: string }).status === 'stopped', 60_000, 'the run stopped');
    const again = await runWeaver(['runs', 'stop', id], env);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already stopped; there is nothing to stop/);
  }, 300_000);
});

describe('weaver events tail', () => {
  it('prints the events after a cursor and exits; the run ends in completed', async () => {
    const tail = await runWeaver(['events', 'tail', '--run', runId, '--types', 'ui.RunStatus', '--json'], env);
    expect(tail.code, tail.stderr).toBe(0);
    const events = lines(tail.stdout);
    expect(events.map((e) => e.payload.status)).toEqual(['created', 'starting', 'running', 'completed']);
    for (const e of events) expect(e).toMatchObject({ type: 'ui.RunStatus', run_id: runId, cursor: expect.stringMatching(/^\d+\.\d+$/), ts: expect.stringMatching(/Z$/) });

    // Resuming after the second event's cursor gives the rest; --limit stops early; people get one line each.
    const rest = await runWeaver(['events', 'tail', '--run', runId, '--types', 'ui.RunStatus', '--after', events[1]!.cursor, '--json'], env);
    expect(lines(rest.stdout).map((e) => e.payload.status)).toEqual(['running', 'completed']);
    const two = await runWeaver(['events', 'tail', '--run', runId, '--limit', '2', '--json'], env);
    expect(lines(two.stdout)).toHaveLength(2);
    const human = await runWeaver(['events', 'tail', '--run', runId, '--types', 'ui.RunStatus'], env);
    expect(human.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ui\\.RunStatus run=${runId} (mode=backtest )?status=completed  @${events[3]!.cursor}$`));

    const bad = await runWeaver(['events', 'tail', '--types', 'ui.Nope', '--json'], env);
    expect(bad.code).toBe(2);
  });

  it('--follow prints new events as they come, survives a dropped connection, and exits 0 on Ctrl-C', async () => {
    // A proxy between the CLI and the gateway lets the test cut the stream's connection.
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(env.WEAVER_PORT), '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxied = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    try {
      const child = spawn(process.execPath, [MAIN, 'events', 'tail', '--follow', '--types', 'ui.RunStatus', '--json', '--url', proxied], { cwd: REPO, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      followers.add(child);
      let out = '';
      let err = '';
      child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await eventually(() => err.includes('following the events of'), 30_000, 'the follower to connect');

      const statuses = (id: string) => lines(out).filter((e) => e.run_id === id).map((e) => e.payload.status as string);
      const first = json((await runWeaver(['backtest', ...BT], env, 120_000)).stdout).run_id as string;
      await eventually(() => statuses(first).at(-1) === 'completed', 30_000, "the first run's completed status");
      expect(statuses(first)).toEqual(['created', 'starting', 'running', 'completed']);

      // Cut the stream; a backtest runs while it is down; the follower reconnects with Last-Event-ID.
      for (const s of sockets) s.destroy();
      const second = json((await runWeaver(['backtest', ...BT], env, 120_000)).stdout).run_id as string;
      await eventually(() => statuses(second).at(-1) === 'completed', 30_000, "the second run's completed status");
      expect(statuses(second)).toEqual(['created', 'starting', 'running', 'completed']);
      expect(err).toMatch(/connection lost .*reconnecting/);
      const cursors = lines(out).map((e) => e.cursor as string);
      expect(new Set(cursors).size).toBe(cursors.length);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      followers.delete(child);
    } finally {
      proxy.close();
      for (const s of sockets) s.destroy();
    }
  }, 300_000);
});
