// The API client against a fake fetch: JSON in and out, the gateway's error model as an ApiError with
// per-field messages, a 401 asking for the key, and the key sent in X-API-Key once entered.
import { afterEach, describe, expect, it } from 'vitest';
import { api, ApiError, query } from './api.ts';
import { auth, setApiKey } from './auth.svelte.ts';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records its calls and answers `status` with `body` (an object as JSON, a string as it is). */
function fakeFetch(status: number, body: unknown): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const f = async (url: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({ url: String(url), init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: f as typeof fetch, calls };
}
const headerOf = (call: Call, name: string) => (call.init.headers as Record<string, string>)[name];

afterEach(() => {
  setApiKey(null);
  auth.needed = false;
});

describe('api', () => {
  it('GETs JSON and gives back the parsed body', async () => {
    const { fetch, calls } = fakeFetch(200, { items: [{ id: 'r1' }] });
    await expect(api<{ items: { id: string }[] }>('/runs', { fetch })).resolves.toEqual({ items: [{ id: 'r1' }] });
    expect(calls[0]!.url).toBe('/runs');
    expect(calls[0]!.init.method).toBe('GET');
    expect(headerOf(calls[0]!, 'accept')).toBe('application/json');
    expect(headerOf(calls[0]!, 'x-api-key')).toBeUndefined(); // no key entered
    expect(calls[0]!.init.body).toBeUndefined();
  });

  it('POSTs a body as JSON', async () => {
    const { fetch, calls } = fakeFetch(202, { run_id: 'r1' });
    await api('/runs', { method: 'POST', body: { timeframe: '1m' }, fetch });
    expect(calls[0]!.init.method).toBe('POST');
    expect(headerOf(calls[0]!, 'content-type')).toBe('application/json');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ timeframe: '1m' });
  });

  it('turns the error model into an ApiError with status, code, message and per-field messages', async () => {
    const model = {
      code: 'invalid_request',
      message: 'the request body is not valid',
      details: [
        { path: 'timeframe', message: 'must be one of 1m, 5m, 1h, 1d' },
        { path: 'instances[0].symbols', message: 'needs at least one symbol' },
        { message: 'no path: not a field' },
      ],
      correlation_id: 'c-1',
    };
    const { fetch } = fakeFetch(422, model);
    const error = await api('/runs', { method: 'POST', body: {}, fetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    expect(e.status).toBe(422);
    expect(e.code).toBe('invalid_request');
    expect(e.message).toBe('the request body is not valid');
    expect(e.correlationId).toBe('c-1');
    expect(e.fields).toEqual({ timeframe: 'must be one of 1m, 5m, 1h, 1d', 'instances[0].symbols': 'needs at least one symbol' });
    expect(auth.needed).toBe(false);
  });

  it('makes an ApiError of an answer that is not the error model', async () => {
    const { fetch } = fakeFetch(502, '<html>Bad gateway</html>');
    const e = (await api('/runs', { fetch }).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(502);
    expect(e.code).toBe('http_502');
    expect(e.message).toBe('<html>Bad gateway</html>');
    expect(e.fields).toEqual({});
  });

  it('says Weaver does not answer when the request cannot be made', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const e = (await api('/runs', { fetch: refused }).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(0);
    expect(e.code).toBe('unreachable');
    expect(e.message).toMatch(/does not answer/);
  });

  it('a 401 asks for the API key', async () => {
    const { fetch } = fakeFetch(401, { code: 'unauthorized', message: 'missing or wrong X-API-Key', correlation_id: null });
    const e = (await api('/runs', { fetch }).catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(401);
    expect(auth.needed).toBe(true);
  });

  it('sends the key entered in X-API-Key and keeps it for the session only', async () => {
    setApiKey('0123456789abcdef0123');
    expect(sessionStorage.getItem('weaver.apiKey')).toBe('0123456789abcdef0123');
    const { fetch, calls } = fakeFetch(200, {});
    await api('/actors', { fetch });
    expect(headerOf(calls[0]!, 'x-api-key')).toBe('0123456789abcdef0123');
    expect(localStorage.length).toBe(0);
    setApiKey(null);
    expect(sessionStorage.getItem('weaver.apiKey')).toBeNull();
    await api('/actors', { fetch });
    expect(headerOf(calls[1]!, 'x-api-key')).toBeUndefined();
  });
});

describe('query', () => {
  it('keeps only the defined values, encoded', () => {
    expect(query({ run_id: 'r 1', limit: 50, symbol: undefined, status: null, strategy: '' })).toBe('?run_id=r+1&limit=50');
    expect(query({})).toBe('');
  });
});
