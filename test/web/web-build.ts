// The dashboard's build for browser tests and the benchmark: `npm run build:web` when web/build is missing
// or older than its sources (so a test never looks at yesterday's pages), and `svelte-kit sync` for the
// component tests when its generated tsconfig is missing (npm install prunes it). A copy of the build per
// Weaver (WEAVER_WEB_DIR) keeps a test's pages steady while someone rebuilds web/build meanwhile.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const WEB = path.join(REPO, 'web');
export const WEB_BUILD = path.join(WEB, 'build');
const INDEX = path.join(WEB_BUILD, 'index.html');
/** What the build is made of besides web/src. */
const INPUTS = ['vite.config.ts', 'package.json', 'tsconfig.json', 'static'].map((p) => path.join(WEB, p));

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return /\.spec\.ts$/.test(p) ? 0 : s.mtimeMs; // tests are not in the bundle
  let newest = 0;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Why web/build must be (re)built, or null when it is up to date. */
export function staleReason(): string | null {
  if (!existsSync(INDEX)) return 'web/build is missing';
  const built = statSync(INDEX).mtimeMs;
  const changed = [path.join(WEB, 'src'), ...INPUTS].find((p) => newestMtime(p) > built);
  return changed ? `${path.relative(REPO, changed)} is newer than web/build` : null;
}

function run(cmd: string, args: string[], cwd: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-6000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code}):\n${stderr}`))));
  });
}

/** Builds the dashboard unless web/build is up to date; returns what it did, for the log. */
export async function ensureWebBuild(): Promise<string> {
  const reason = staleReason();
  if (!reason) return 'web/build is up to date';
  const t0 = performance.now();
  await run('npm', ['run', '-s', 'build:web'], REPO, '`npm run build:web`');
  if (!existsSync(INDEX)) throw new Error('`npm run build:web` succeeded but wrote no web/build/index.html');
  return `built the dashboard (${reason}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
}

/** `svelte-kit sync` (web/tsconfig.json extends what it generates) when that is missing. */
export async function ensureKitSync(): Promise<void> {
  if (existsSync(path.join(WEB, 'node_modules', '$app', 'tsconfig.json'))) return;
  const kit = path.join(REPO, 'node_modules', '@sveltejs', 'kit', 'svelte-kit.js');
  await run(process.execPath, [kit, 'sync'], WEB, '`svelte-kit sync`');
}

/** A private copy of web/build (for WEAVER_WEB_DIR). */
export async function copyWebBuild(dest: string): Promise<string> {
  if (!existsSync(INDEX)) throw new Error('web/build is missing: run `npm run build:web` first');
  await fs.cp(WEB_BUILD, dest, { recursive: true });
  return dest;
}
