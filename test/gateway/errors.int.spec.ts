// The error model over real HTTP: every failure is {code, message, details, correlation_id} with the status
// that fits (400 malformed JSON, 413 too large, 422 invalid input with per-field paths, 404 unknown route,
// 429 rate limited with Retry-After), never a stack trace, the client's correlation id echoed, and a
// refused write leaves the log as it was.
import { sql } from 'slonik';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';

let pg: TestPostgres;
let h: GatewayHarness;

beforeAll(async () => {
  pg = await startTestPostgres();
  h = await startGatewayHarness({ pg });
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

/** Stack frames ("    at fn (file:line)"), file paths and source locations: none of them may leak. */
const LEAKS = [/\bat \S+ \(/, /\n\s+at /, /\/work\//, /node_modules/, /\.ts:\d+/, /\.js:\d+/, /file:\/\//, /Error:/];

async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(['code', 'correlation_id', 'details', 'message']);
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(10);
  expect(body.correlation_id).toEqual(expect.any(String));
  expect(res.headers.get('x-correlation-id')).toBe(body.correlation_id);
  for (const leak of LEAKS) expect(text, `${leak} in ${text}`).not.toMatch(leak);
  return body;
}

const outboxRows = () => h.db.oneFirst(sql.type(v.object({ n: v.number() }))`SELECT count(*)::int AS n FROM outbox`);

const validRun = { timeframe: '1m', instances: [{ strategy: 'sma_cross', symbols: ['DEMO_ACME'] }] };

describe('bodies', () => {
  it('malformed JSON: 400 malformed_json, nothing written', async () => {
    const before = await outboxRows();
    for (const text of ['{"timeframe": "1m",', '{timeframe: 1m}', "{'a': 1}", '{"a": 1}}', '[1, 2', 'nul', '"just a string"', 'null', '12']) {
      const body = await expectError(await h.post('/runs', text), 400, 'malformed_json');
      expect(body.message).toContain('not valid JSON');
    }
    expect(await outboxRows()).toBe(before);
  });

  it('a body over 256 KB: 413 payload_too_large, nothing written', async () => {
    const before = await outboxRows();
    const huge = JSON.stringify({ ...validRun, name: 'x'.repeat(300 * 1024) });
    const body = await expectError(await h.post('/runs', huge), 413, 'payload_too_large');
    expect(body.details).toEqual({ limit: 256 * 1024 });
    expect(body.message).toContain(String(256 * 1024));
    // also to a route that takes no body, and to an unknown route
    await expectError(await h.post('/runs/0194a7b2-0000-7000-8000-000000000000/start', huge), 413, 'payload_too_large');
    await expectError(await h.post('/nowhere', huge), 413, 'payload_too_large');
    expect(await outboxRows()).toBe(before);
  });

  it('wrong types and unknown fields in POST /runs: 422 with a path for each field, nothing written', async () => {
    const before = await outboxRows();
    const body = await expectError(
      await h.post('/runs', { timeframe: 5, cash: 'lots', instances: [{ strategy: 'sma_cross', symbols: 'DEMO_ACME', params: { fast: [1] } }], bogus: true, start: 'yes' }),
      422,
      'invalid_request',
    );
    const details = body.details as { path: string; message: string }[];
    const paths = details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.timeframe', 'body.cash', 'body.instances.0.symbols', 'body.instances.0.params.fast', 'body.bogus', 'body.start']));
    for (const d of details) expect(d.message.length).toBeGreaterThan(0);
    expect(body.message).toContain('body.timeframe');

    const nested = await expectError(await h.post('/runs', { ...validRun, instances: [{ ...validRun.instances[0], extra: 1 }], fill: { model: 'close', nope: 2 } }), 422, 'invalid_request');
    expect((nested.details as { path: string }[]).map((d) => d.path)).toEqual(expect.arrayContaining(['body.instances.0.extra', 'body.fill.nope']));

    const missing = await expectError(await h.post('/runs', {}), 422, 'invalid_request');
    expect((missing.details as { path: string }[]).map((d) => d.path)).toEqual(expect.arrayContaining(['body.timeframe', 'body.instances']));

    // no body at all, or not JSON: the body is missing
    await expectError(await h.post('/runs'), 422, 'invalid_request');
    await expectError(await fetch(`${h.url}/runs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(validRun) }), 422, 'invalid_request');
    // a JSON array where an object belongs
    await expectError(await h.post('/runs', [validRun]), 422, 'invalid_request');
    expect(await outboxRows()).toBe(before);
  });

  it('a body sent to a route that takes none: 422', async () => {
    const body = await expectError(await h.post('/runs/0194a7b2-0000-7000-8000-000000000000/stop', { force: true }), 422, 'invalid_request');
    expect(body.details).toEqual([{ path: 'body', message: 'must be empty' }]);
  });

  it('a body in another charset: 415', async () => {
    const res = await fetch(`${h.url}/runs`, { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: JSON.stringify(validRun) });
    await expectError(res, 415, 'unsupported_encoding');
  });
});

describe('routes and parameters', () => {
  it('an unknown route: 404 in the same shape, naming the route', async () => {
    for (const [method, path] of [['GET', '/nope'], ['POST', '/runs/x/y/z'], ['DELETE', '/runs'], ['PUT', '/healthz'], ['GET', '/%2e%2e/etc/passwd']] as const) {
      const body = await expectError(await fetch(h.url + path, { method }), 404, 'not_found');
      expect(body.message).toContain(method);
      expect(body.details).toMatchObject({ method });
    }
  });

  it('a path that is not valid percent-encoding: 400, not a 500', async () => {
    for (const path of ['/runs/%E0%A4%A', '/runs/%ZZ', '/runs/%']) {
      await expectError(await h.get(path), 400, 'bad_request');
    }
  });

  it('a bad path parameter: 422 with its path', async () => {
    const body = await expectError(await h.get(`/runs/${encodeURIComponent("1' OR '1'='1")}`), 422, 'invalid_request');
    expect(body.details).toEqual([{ path: 'params.id', message: expect.stringContaining('UUID') }]);
  });

  it('an unknown query parameter: 422 naming it', async () => {
    const body = await expectError(await h.get('/events/tail?colour=red'), 422, 'invalid_request');
    expect((body.details as { path: string }[]).map((d) => d.path)).toEqual(['query.colour']);
  });

  it('invalid cursors: 422 on the tail and on the stream (query and Last-Event-ID)', async () => {
    const bad = ['abc', '1.2.3', '99999999999999999999999.1', '-1.5', '1.-5', '1', '.5', '1.', '1e3.2', '18446744073709551616.1', '1.9223372036854775808', "1.2' OR 1=1--", 'x'.repeat(5000)];
    for (const cursor of bad) {
      const tail = await expectError(await h.get(`/events/tail?after=${encodeURIComponent(cursor)}`), 422, 'invalid_request');
      expect((tail.details as { path: string }[])[0]!.path).toBe('query.after');
      await expectError(await h.get(`/events/stream?after=${encodeURIComponent(cursor)}`), 422, 'invalid_request');
      if (cursor.length < 100) {
        const header = await expectError(await h.get('/events/stream', { 'last-event-id': cursor }), 422, 'invalid_request');
        expect(header.details).toEqual([{ path: 'headers.last-event-id', message: 'must be a log cursor' }]);
      }
    }
    // the largest cursors that are cursors are fine
    expect((await h.get('/events/tail?after=18446744073709551615.9223372036854775807')).status).toBe(200);
    expect((await h.get('/events/tail?after=0.0')).status).toBe(200);
  });

  it('a huge, zero, negative or fractional limit: 422', async () => {
    for (const limit of ['1001', '100000', '99999999999999999999', '0', '-1', '1.5', 'ten', '']) {
      const body = await expectError(await h.get(`/events/tail?limit=${limit}`), 422, 'invalid_request');
      expect((body.details as { path: string }[])[0]!.path).toBe('query.limit');
    }
    for (const limit of ['2000', '0']) await expectError(await h.get(`/runs?limit=${limit}`), 422, 'invalid_request');
    expect((await h.get('/events/tail?limit=1000')).status).toBe(200);
  });

  it('a repeated query parameter: 422, not a crash', async () => {
    await expectError(await h.get('/events/tail?limit=1&limit=2'), 422, 'invalid_request');
    await expectError(await h.get('/events/tail?after=1.1&after=2.2'), 422, 'invalid_request');
  });
});

describe('correlation ids', () => {
  it('a client X-Correlation-Id comes back in the header and the error body', async () => {
    const res = await h.get('/nope', { 'x-correlation-id': 'my-trace.42' });
    expect(res.headers.get('x-correlation-id')).toBe('my-trace.42');
    expect((await expectError(res, 404, 'not_found')).correlation_id).toBe('my-trace.42');
    const ok = await h.get('/healthz', { 'x-correlation-id': 'probe-1' });
    expect(ok.headers.get('x-correlation-id')).toBe('probe-1');
  });

  it('an insane one is replaced by a fresh id', async () => {
    for (const given of ['has space', 'x'.repeat(65), '<script>', "a'b"]) {
      const res = await h.get('/nope', { 'x-correlation-id': given });
      const body = await expectError(res, 404, 'not_found');
      expect(body.correlation_id).not.toBe(given);
      expect(body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('each request without one gets its own', async () => {
    const a = await expectError(await h.get('/nope'), 404, 'not_found');
    const b = await expectError(await h.get('/nope'), 404, 'not_found');
    expect(a.correlation_id).not.toBe(b.correlation_id);
  });
});

describe('rate limit', () => {
  it('past rateLimitPerMinute: 429 rate_limited with Retry-After', async () => {
    const g = await startGatewayHarness({ pg, config: { rateLimitPerMinute: 5 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await g.get('/healthz')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const res = await g.get('/runs', { 'x-correlation-id': 'limited-1' });
      const retryAfter = res.headers.get('retry-after');
      const body = await expectError(res, 429, 'rate_limited');
      expect(body.correlation_id).toBe('limited-1');
      expect(body.message).toContain('Retry-After');
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
      expect(res.headers.get('ratelimit-policy')).toContain('q=5');
      // every route, the stream too
      await expectError(await g.get('/events/stream'), 429, 'rate_limited');
    } finally {
      await g.close();
    }
  });
});

describe('unexpected failures', () => {
  it('the database gone: 500 internal with the correlation id to look for, no stack, no driver message', async () => {
    const own = await startTestPostgres();
    const g = await startGatewayHarness({ pg: own });
    try {
      expect((await g.get('/runs')).status).toBe(200);
      await own.pause();
      const res = await g.get('/runs', { 'x-correlation-id': 'db-down-1' });
      const text = await res.clone().text();
      const body = await expectError(res, 500, 'internal');
      expect(body.message).toContain('db-down-1');
      expect(body.details).toBeNull();
      expect(text).not.toMatch(/ECONNREFUSED|connect|postgres|slonik|terminat/i);
      // /readyz says what is wrong (503), in the same shape
      const ready = await expectError(await g.get('/readyz'), 503, 'not_ready');
      expect(ready.details).toEqual({ reasons: ['database unreachable'] });
      await own.resume();
    } finally {
      await g.close();
      await own.stop();
    }
  });
});
