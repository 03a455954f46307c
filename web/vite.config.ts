// Haro, Weaver's dashboard: a single-page SvelteKit app built to static files (adapter-static) that the
// gateway serves under /ui on its own port. `npm run dev:web` serves it with Vite and proxies the API to a
// running gateway (WEAVER_URL, default http://127.0.0.1:7400).
import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const gateway = process.env.WEAVER_URL ?? `http://127.0.0.1:${process.env.WEAVER_PORT ?? '7400'}`;
// Every API path the dashboard calls; the pages live under /ui.
const API = ['/healthz', '/readyz', '/runs', '/orders', '/fills', '/candles', '/backtests', '/strategies', '/actors', '/events', '/auth', '/openapi.json'];

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
      paths: { base: '/ui' },
    }),
  ],
  server: {
    proxy: Object.fromEntries(API.map((p) => [p, { target: gateway, changeOrigin: false }])),
    fs: { allow: ['..'] },
  },
  build: { chunkSizeWarningLimit: 400 },
});
