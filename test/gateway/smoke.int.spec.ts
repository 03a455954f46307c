import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webBuildPresent } from '../../actors/gateway/http/web.ts';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness({ project: true });
});
afterAll(async () => {
  await h?.close();
});

describe('gateway basics', () => {
  it('answers /healthz and 404s unknown routes in the error model', async () => {
    const ok = await h.get('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok' });
    const missing = await h.get('/nope');
    expect(missing.status).toBe(404);
    const body = (await missing.json()) as { correlation_id: string };
    expect(body).toMatchObject({ code: 'not_found', correlation_id: expect.any(String) });
    expect(missing.headers.get('x-correlation-id')).toBe(body.correlation_id);
  });

  it('serves an OpenAPI document', async () => {
    const res = await h.get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toContain('/runs/{id}/stop');
  });

  it('serves the dashboard under /ui (index.html for app routes) and sends / there, without the key', async () => {
    const root = await fetch(`${h.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    const app = await h.get('/ui/runs/some-run');
    expect(app.headers.get('content-type')).toMatch(/text\/html/);
    // Built: the app's index.html; not built: a page saying how to build it.
    if (webBuildPresent()) {
      expect(app.status).toBe(200);
      expect(await app.text()).toContain('<!doctype html>');
    } else {
      expect(app.status).toBe(503);
      expect(await app.text()).toContain('npm run build:web');
    }
  });
});

