// `weaver start` builds the dashboard when its build is missing (a fresh clone): `npm run build:web`, once,
// with its output shown. A failed build does not stop Weaver: the API runs, and /ui says how to build it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INDEX = fileURLToPath(new URL('../../web/build/index.html', import.meta.url));

export async function ensureWebBuild(log: Logger, signal: AbortSignal): Promise<void> {
  if (process.env.WEAVER_WEB_DIR || existsSync(INDEX)) return;
  if (!existsSync(fileURLToPath(new URL('../../web/package.json', import.meta.url)))) return;
  log.info('building the dashboard (web/build is missing; once, ~20 s)…');
  const t0 = performance.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn('npm', ['run', '-s', 'build:web'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', () => resolve(-1));
    child.on('close', (c) => {
      if (c !== 0 && !signal.aborted) log.warn({ stderr: stderr.trim().split('\n').slice(-8).join('\n') }, 'the dashboard build failed');
      resolve(c ?? -1);
    });
  });
  if (code === 0) log.info(`dashboard built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  else if (!signal.aborted) log.warn('the dashboard could not be built: the API runs without it; run `npm run build:web` to see why');
}
