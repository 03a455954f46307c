// Who may talk to the gateway, over real HTTP: the API key (X-API-Key only, 401 in the error model
// otherwise), SSE tokens, /healthz open, the key and tokens never in the logs; the IP allow-list; CORS for
// the configured web origin only.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, UiRunStatus, newId } from '../../protocol/index.ts';
import { SseTokens } from '../../actors/gateway/http/security.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';
import { SseClient } from './sse-client.ts';

const KEY = 'wv-secret-7f3a9c2e5b8d1f4a6c0e';
const ORIGIN = 'http://dashboard.test:5173';

let pg: TestPostgres;
let h: GatewayHarness;
const logLines: string[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ name: 'gateway', level: 'debug' }, sink);
  h = await startGatewayHarness({ pg, config: { apiKey: KEY, webOrigin: ORIGIN }, logger });
});
afterAll(async () => {
  await h?.close();
  await pg?.stop();
});

interface ErrorBody {
  code: string;
  message: string;
  details: unknown;
  correlation_id: string;
}

async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(['code', 'correlation_id', 'details', 'message']);
  expect(body.code).toBe(code);
  expect(body.correlation_id).toBe(res.headers.get('x-correlation-id'));
  expect(text).not.toContain(KEY);
  return body;
}

describe('API key', () => {
  it('no key: 401 in the error model, saying how to send it', async () => {
    for (const path of ['/runs', '/events/tail', '/readyz', '/openapi.json', '/no/such/route']) {
      const body = await expectError(await h.get(path), 401, 'unauthorized');
      expect(body.message).toContain('X-API-Key');
    }
    await expectError(await h.post('/auth/sse-token'), 401, 'unauthorized');
  });

  it('a wrong key: 401', async () => {
    for (const wrong of [KEY.slice(0, -1), `${KEY}0`, KEY.toUpperCase(), 'x', ' ']) {
      const body = await expectError(await h.get('/runs', { 'x-api-key': wrong }), 401, 'unauthorized');
      expect(body.message).toContain('wrong API key');
    }
  });

  it('the right key in the wrong place: 401', async () => {
    await expectError(await h.get('/runs', { authorization: `Bearer ${KEY}` }), 401, 'unauthorized');
    await expectError(await h.get('/runs', { authorization: KEY }), 401, 'unauthorized');
    await expectError(await h.get('/runs', { 'x-api-token': KEY }), 401, 'unauthorized');
    await expectError(await h.get('/runs', { 'api-key': KEY }), 401, 'unauthorized');
    for (const q of ['api_key', 'apiKey', 'key', 'x-api-key', 'token']) {
      await expectError(await h.get(`/runs?${q}=${KEY}`), 401, 'unauthorized');
    }
    // the key is no SSE token either
    await expectError(await h.get(`/events/stream?token=${KEY}`), 401, 'unauthorized');
  });

  it('/healthz is open; the right key opens the rest', async () => {
    const health = await h.get('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const runs = await h.get('/runs', { 'x-api-key': KEY });
    expect(runs.status).toBe(200);
    expect(await runs.json()).toEqual({ items: [] });
    expect((await h.get('/events/tail', { 'X-API-Key': KEY })).status).toBe(200);
    expect((await h.get('/openapi.json', { 'x-api-key': KEY })).status).toBe(200);
  });

  it('with the key, an unknown route is 404 (not 401)', async () => {
    await expectError(await h.get('/no/such/route', { 'x-api-key': KEY }), 404, 'not_found');
  });
});

describe('SSE tokens', () => {
  it('POST /auth/sse-token with the key gives a token that opens /events/stream and nothing else', async () => {
    const res = await h.post('/auth/sse-token', undefined, { 'x-api-key': KEY });
    expect(res.status).toBe(200);
    const { token, expires_at } = (await res.json()) as { token: string; expires_at: string };
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());
    expect(token).not.toContain(KEY);

    const client = new SseClient(`${h.url}/events/stream?token=${encodeURIComponent(token)}`);
    await client.start();
    const runId = newId();
    await h.log.publish([makeEvent(UiRunStatus, { run_id: runId, mode: 'backtest', status: 'running' }, 'test', { run_id: runId })]);
    await client.waitFor(1);
    await client.close();
    expect(client.statuses).toEqual([200]);
    expect(client.data<{ run_id: string; type: string }>()[0]).toMatchObject({ run_id: runId, type: 'ui.RunStatus' });

    // only the stream takes a token
    await expectError(await h.get(`/events/tail?token=${encodeURIComponent(token)}`), 401, 'unauthorized');
    await expectError(await h.get(`/runs?token=${encodeURIComponent(token)}`), 401, 'unauthorized');
  });

  it('an expired, forged or foreign token: 401 saying to get a new one', async () => {
    const expired = new SseTokens(KEY).issue(Date.now() - 10 * 60_000).token;
    const foreign = new SseTokens('some-other-key-1234567890').issue().token;
    const good = new SseTokens(KEY).issue().token;
    const [expiry, nonce, sig] = good.split('.') as [string, string, string];
    const forged = [`${Number(expiry) + 60_000}.${nonce}.${sig}`, `${expiry}.${nonce}.${sig.slice(0, -2)}AA`, 'not-a-token', `${expiry}.${nonce}.`];
    for (const token of [expired, foreign, ...forged]) {
      const body = await expectError(await h.get(`/events/stream?token=${encodeURIComponent(token)}`), 401, 'unauthorized');
      expect(body.message).toContain('POST /auth/sse-token');
    }
  });

  it('the key in X-API-Key opens the stream too', async () => {
    const client = new SseClient(`${h.url}/events/stream`, { headers: { 'x-api-key': KEY } });
    await client.start();
    await client.close();
    expect(client.statuses).toEqual([200]);
  });
});

describe('logs', () => {
  it('hold one line per request with method, path, status, ms and correlation id, and never the key or a token', async () => {
    const token = ((await (await h.post('/auth/sse-token', undefined, { 'x-api-key': KEY })).json()) as { token: string }).token;
    const client = new SseClient(`${h.url}/events/stream?token=${encodeURIComponent(token)}&types=ui.RunStatus`);
    await client.start();
    await client.close();
    const marker = `marker-${Date.now()}`;
    await h.get(`/runs?api_key=${KEY}`, { 'x-correlation-id': marker, authorization: `Bearer ${KEY}` });
    await h.get('/runs', { 'x-api-key': KEY, 'x-correlation-id': `${marker}-ok` });
    await h.post('/runs', { timeframe: KEY }, { 'x-api-key': KEY, 'x-correlation-id': `${marker}-bad` });
    // pino-http logs when the response has finished: wait for the last request's line
    const deadline = Date.now() + 10_000;
    while (!logLines.some((l) => l.includes(`${marker}-bad`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

    const all = logLines.join('\n');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]); // not even the signature part

    const requests = logLines.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.req);
    const line = (cid: string) => requests.find((l) => l.correlation_id === cid);
    expect(line(marker)).toMatchObject({ req: { method: 'GET', path: '/runs' }, res: { status: 401 }, ms: expect.any(Number), msg: expect.stringMatching(/^GET \/runs 401 \d+ms$/) });
    expect(line(`${marker}-ok`)).toMatchObject({ req: { method: 'GET', path: '/runs' }, res: { status: 200 }, ms: expect.any(Number) });
    expect(line(`${marker}-bad`)).toMatchObject({ req: { method: 'POST', path: '/runs' }, res: { status: 422 }, ms: expect.any(Number) });
    const stream = requests.find((l) => l.req.path === '/events/stream' && l.res.status === 200);
    expect(stream).toMatchObject({ req: { method: 'GET', path: '/events/stream' }, correlation_id: expect.any(String), ms: expect.any(Number) });
    // every request line has them all
    for (const l of requests) {
      expect(l).toMatchObject({ req: { method: expect.any(String), path: expect.any(String) }, res: { status: expect.any(Number) }, ms: expect.any(Number), correlation_id: expect.any(String) });
      expect(l.req.path).not.toContain('?');
      expect(Object.keys(l.req).sort()).toEqual(['method', 'path']); // no headers, no query
    }
    expect(requests.length).toBeGreaterThan(20);
  });
});

describe('IP allow-list', () => {
  it('an address not on the list: 403 in the error model, even for /healthz', async () => {
    const g = await startGatewayHarness({ pg, config: { allowIps: ['10.9.9.9'] } });
    try {
      const body = await expectError(await g.get('/runs'), 403, 'forbidden');
      expect(body.message).toContain('127.0.0.1');
      expect(body.message).toContain('WEAVER_ALLOW_IPS');
      await expectError(await g.get('/healthz'), 403, 'forbidden');
    } finally {
      await g.close();
    }
  });

  it('an address in a listed block: 200', async () => {
    const g = await startGatewayHarness({ pg, config: { allowIps: ['10.9.9.9', '127.0.0.1/32'] } });
    try {
      expect((await g.get('/runs')).status).toBe(200);
      expect((await g.get('/healthz')).status).toBe(200);
    } finally {
      await g.close();
    }
  });
});

describe('CORS', () => {
  it('the configured origin gets Access-Control-Allow-Origin on a preflight and on a GET', async () => {
    const preflight = await fetch(`${h.url}/runs`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-api-key');
    const get = await h.get('/runs', { origin: ORIGIN, 'x-api-key': KEY });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(get.headers.get('access-control-expose-headers')).toContain('X-Correlation-Id');
    expect(get.headers.get('vary')).toContain('Origin'); // caches keep answers to different origins apart
    // a 401 carries it too, so the dashboard can read the error
    const denied = await h.get('/runs', { origin: ORIGIN });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('another origin gets no Access-Control-Allow-Origin', async () => {
    for (const origin of ['http://evil.test', 'http://dashboard.test:5174', 'https://dashboard.test:5173', 'null']) {
      const preflight = await fetch(`${h.url}/runs`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const get = await h.get('/runs', { origin, 'x-api-key': KEY });
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('without a configured origin nobody gets it', async () => {
    const g = await startGatewayHarness({ pg });
    try {
      const get = await g.get('/runs', { origin: ORIGIN });
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await g.close();
    }
  });
});
