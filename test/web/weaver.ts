// A real Weaver for the browser tests and the web benchmark: `weaver start` (the backtest actors and the
// gateway) on an embedded Postgres of its own, on a free loopback port, serving a private copy of the
// dashboard's build under /ui, with demo bars from `weaver data demo`. stop() ends the process and the
// database; call it in afterAll.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runWeaver, startWeaver, type WeaverProcess } from '../e2e/weaver-process.ts';
import { freePort } from '../gateway/free-port.ts';
import { eventually } from '../helpers/events.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { copyWebBuild } from './web-build.ts';

export const WEB_ACTORS = ['router', 'clock', 'greta', 'walle', 'gateway'];
/** The symbol `weaver data demo --symbols 1` writes; its last bar starts 2025-12-31T23:59Z. */
export const DEMO_SYMBOL = 'DEMO_ACME';

export interface WebWeaverOptions {
  readonly actors?: readonly string[];
  /** WEAVER_API_KEY (at least 16 characters). */
  readonly apiKey?: string;
  /** Days of 1m demo bars of one symbol (0: none). */
  readonly demoDays?: number;
}

export interface WebWeaver {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly env: Record<string, string>;
  readonly process: WeaverProcess;
  readonly db: TestPostgres;
  /** A call to the gateway (with the API key, if any); throws on an error status, with its body. */
  api<T = unknown>(path: string, init?: { method?: 'GET' | 'POST'; body?: unknown }): Promise<T>;
  /** One SQL statement on the Weaver's database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startWebWeaver(options: WebWeaverOptions = {}): Promise<WebWeaver> {
  const db = await startTestPostgres();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'weaver-web-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    WEAVER_HOME: home,
    WEAVER_PORT: String(port),
    WEAVER_DEFAULT_ACTORS: (options.actors ?? WEB_ACTORS).join(','),
    WEAVER_DEMO_DATA: 'false',
    WEAVER_WEB_DIR: await copyWebBuild(path.join(home, 'web')),
    ...(options.apiKey ? { WEAVER_API_KEY: options.apiKey } : {}),
  };
  let weaver: WeaverProcess | null = null;
  const stop = async () => {
    if (weaver) await terminate(weaver);
    await db.stop();
    await fs.rm(home, { recursive: true, force: true });
  };
  try {
    weaver = startWeaver(env);
    await weaver.waitForLog((l) => l.msg?.startsWith('Weaver is ready') === true, 90_000, '"Weaver is ready"');
    await eventually(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true || undefined, 30_000, `the gateway at ${url}`);
    if ((options.demoDays ?? 3) > 0) {
      const demo = await runWeaver(['data', 'demo', '--symbols', '1', '--days', String(options.demoDays ?? 3), '--json'], env, 300_000);
      if (demo.code !== 0) throw new Error(`weaver data demo failed (${demo.code}): ${demo.stderr}`);
    }
    const headers = (body: boolean): Record<string, string> => ({ accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}) });
    return {
      url,
      env,
      process: weaver!,
      db,
      async api<T>(p: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}) {
        const res = await fetch(url + p, { method: init.method ?? 'GET', headers: headers(init.body !== undefined), ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
        const text = await res.text();
        if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${p} answered ${res.status}: ${text}`);
        return (text ? JSON.parse(text) : null) as T;
      },
      async sql<T>(text: string, params: unknown[] = []) {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          return (await client.query(text, params)).rows as T[];
        } finally {
          await client.end();
        }
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** SIGTERM (a clean shutdown), SIGKILL after 10 s. */
async function terminate(weaver: WeaverProcess): Promise<void> {
  const { child } = weaver;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await weaver.exited;
  clearTimeout(timer);
}

/** A backtest of sma_cross on the demo symbol over its last `days` days, created over the API. */
export function backtestBody(params: { fast: number; slow: number }, opts: { start?: boolean; days?: number; name?: string } = {}) {
  const to = '2025-12-31T23:59:00Z';
  const from = new Date(Date.parse('2026-01-01T00:00:00Z') - (opts.days ?? 3) * 86_400_000).toISOString();
  return {
    mode: 'backtest',
    name: opts.name ?? null,
    timeframe: '1m',
    from,
    to,
    instances: [{ strategy: 'sma_cross', symbols: [DEMO_SYMBOL], params }],
    start: opts.start ?? true,
  };
}

/** Waits until the run reaches `status` (over the API) and gives the run back. */
export async function runReaches(weaver: WebWeaver, runId: string, statuses: readonly string[], timeoutMs = 120_000): Promise<{ status: string }> {
  return eventually(async () => {
    const run = await weaver.api<{ status: string }>(`/runs/${runId}`).catch(() => null);
    return run && statuses.includes(run.status) ? run : undefined;
  }, timeoutMs, `run ${runId} to be ${statuses.join(' or ')}`);
}
