// The dashboard (web/, built to static files) under /ui on the gateway's own port: its files, and
// index.html for every other /ui path (the app routes in the browser). The bundle holds no secret, so it
// loads without the API key; the app asks for the key and sends it with each API call. `/` leads there.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

export const WEB_BASE = '/ui';
/** Where `npm run build:web` writes the app (WEAVER_WEB_DIR overrides, e.g. in a container). */
export const WEB_BUILD_DIR = process.env.WEAVER_WEB_DIR ?? fileURLToPath(new URL('../../../web/build', import.meta.url));

export function webBuildPresent(dir = WEB_BUILD_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}

const MISSING = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Weaver</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>The dashboard is not built</h1>
<p>Build it with <code>npm run build:web</code> (or restart with <code>npm start</code>, which builds it when it is missing), then reload.
The API answers meanwhile: see <a href="/openapi.json">/openapi.json</a>.</p></body></html>`;

export function webRoutes(dir = WEB_BUILD_DIR): Router {
  const router = express.Router();
  const headers = (res: express.Response) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
  };
  router.get('/', (_req, res) => res.redirect(302, `${WEB_BASE}/`));
  router.use(
    WEB_BASE,
    express.static(dir, {
      index: false,
      fallthrough: true,
      setHeaders: (res, path) => {
        headers(res as express.Response);
        // Hashed file names under _app/immutable never change: cache them for good.
        if (path.includes(`${join('_app', 'immutable')}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  router.get(`${WEB_BASE}{/*splat}`, (_req, res) => {
    headers(res);
    res.setHeader('Cache-Control', 'no-cache');
    if (!webBuildPresent(dir)) {
      res.status(503).type('html').send(MISSING);
      return;
    }
    res.sendFile(join(dir, 'index.html'));
  });
  return router;
}
