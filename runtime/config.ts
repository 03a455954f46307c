import { resolve } from 'node:path';
import * as v from 'valibot';
import { issuesToDetails, WeaverError } from '../protocol/index.ts';

const Int = (min: number) => v.pipe(v.string(), v.transform(Number), v.integer('must be an integer'), v.minValue(min));

/** Every environment variable Weaver reads; README's table and .env.example mirror this list. */
const Env = v.object({
  DATABASE_URL: v.optional(v.pipe(v.string(), v.url('must be a postgres:// URL'))),
  WEAVER_HOME: v.optional(v.string(), '.weaver'),
  WEAVER_LOG_LEVEL: v.optional(v.picklist(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), 'info'),
  WEAVER_LOG_FORMAT: v.optional(v.picklist(['pretty', 'json'])),
  WEAVER_SUPERVISOR_ID: v.optional(v.pipe(v.string(), v.minLength(1))),
  WEAVER_LEASE_TTL_MS: v.optional(Int(500), '10000'),
  WEAVER_HEARTBEAT_MS: v.optional(Int(50), '1000'),
  WEAVER_HANG_TIMEOUT_MS: v.optional(Int(100), '5000'),
  WEAVER_POLL_INTERVAL_MS: v.optional(Int(10), '500'),
  WEAVER_RESTART_INTENSITY: v.optional(Int(1), '5'),
  WEAVER_RESTART_PERIOD_MS: v.optional(Int(100), '60000'),
  WEAVER_WORKER_MAX_OLD_MB: v.optional(Int(16), '256'),
  WEAVER_DEFAULT_ACTORS: v.optional(v.string(), 'router,clock,greta,walle,gateway'),
  WEAVER_DEMO_DATA: v.optional(v.picklist(['true', 'false'], 'must be true or false'), 'true'),
  WEAVER_HOST: v.optional(v.pipe(v.string(), v.minLength(1)), '127.0.0.1'),
  WEAVER_PORT: v.optional(v.pipe(Int(0), v.maxValue(65535, 'must be a port number (0-65535)')), '7400'),
  WEAVER_API_KEY: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters (e.g. openssl rand -hex 24)'))),
  WEAVER_ALLOW_IPS: v.optional(v.string()),
  WEAVER_WEB_ORIGIN: v.optional(v.pipe(v.string(), v.url('must be an origin such as http://localhost:5173'))),
  WEAVER_RATE_LIMIT: v.optional(Int(0), '6000'),
  WEAVER_URL: v.optional(v.pipe(v.string(), v.url('must be the gateway URL, e.g. http://127.0.0.1:7400'))),
});

export interface Config {
  databaseUrl: string | undefined;
  home: string;
  logLevel: string;
  supervisorId: string | undefined;
  leaseTtlMs: number;
  heartbeatMs: number;
  hangTimeoutMs: number;
  pollIntervalMs: number;
  restartIntensity: number;
  restartPeriodMs: number;
  workerMaxOldMb: number;
  defaultActors: string[];
  /** Seed demo candles at start when the candles table is empty. */
  demoData: boolean;
  gateway: GatewayConfig;
  /** Where the CLI finds the gateway (WEAVER_URL, else http://WEAVER_HOST:WEAVER_PORT). */
  gatewayUrl: string;
}

export interface GatewayConfig {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  /** Required on every route but /healthz when set; required to bind anywhere but loopback. */
  apiKey: string | null;
  /** IPs and CIDR blocks allowed to connect (empty: everyone who can reach the port). */
  allowIps: string[];
  /** The one origin CORS lets in (the dashboard when served elsewhere, e.g. Vite's dev server). */
  webOrigin: string | null;
  /** Requests per minute per client address; 0: no limit. */
  rateLimitPerMinute: number;
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Read the configuration from the environment (and `.env` if present); a bad value names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([k, val]) => k in Env.entries && val !== undefined && val !== ''));
  const parsed = v.safeParse(Env, present);
  if (!parsed.success) {
    const details = issuesToDetails(parsed.issues);
    const lines = details.map((d) => `${d.path}: ${d.message}`).join('; ');
    throw new WeaverError('invalid_config', `invalid configuration: ${lines} (see .env.example)`, details);
  }
  const e = parsed.output;
  if (!isLoopbackHost(e.WEAVER_HOST) && !e.WEAVER_API_KEY) {
    throw new WeaverError(
      'invalid_config',
      `invalid configuration: WEAVER_HOST=${e.WEAVER_HOST} lets other machines reach the gateway, so WEAVER_API_KEY must be set ` +
        '(at least 16 characters, e.g. openssl rand -hex 24); or bind to loopback with WEAVER_HOST=127.0.0.1',
      [{ path: 'WEAVER_API_KEY', message: 'required when WEAVER_HOST is not a loopback address' }],
    );
  }
  const urlHost = e.WEAVER_HOST.includes(':') && !e.WEAVER_HOST.startsWith('[') ? `[${e.WEAVER_HOST}]` : e.WEAVER_HOST;
  const anyHost = e.WEAVER_HOST === '0.0.0.0' || e.WEAVER_HOST === '::' || e.WEAVER_HOST === '[::]';
  return {
    databaseUrl: e.DATABASE_URL,
    home: resolve(e.WEAVER_HOME),
    logLevel: e.WEAVER_LOG_LEVEL,
    supervisorId: e.WEAVER_SUPERVISOR_ID,
    leaseTtlMs: e.WEAVER_LEASE_TTL_MS,
    heartbeatMs: e.WEAVER_HEARTBEAT_MS,
    hangTimeoutMs: e.WEAVER_HANG_TIMEOUT_MS,
    pollIntervalMs: e.WEAVER_POLL_INTERVAL_MS,
    restartIntensity: e.WEAVER_RESTART_INTENSITY,
    restartPeriodMs: e.WEAVER_RESTART_PERIOD_MS,
    workerMaxOldMb: e.WEAVER_WORKER_MAX_OLD_MB,
    defaultActors: e.WEAVER_DEFAULT_ACTORS.split(',').map((s) => s.trim()).filter(Boolean),
    demoData: e.WEAVER_DEMO_DATA === 'true',
    gateway: {
      host: e.WEAVER_HOST,
      port: e.WEAVER_PORT,
      apiKey: e.WEAVER_API_KEY ?? null,
      allowIps: (e.WEAVER_ALLOW_IPS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      webOrigin: e.WEAVER_WEB_ORIGIN ? new URL(e.WEAVER_WEB_ORIGIN).origin : null,
      rateLimitPerMinute: e.WEAVER_RATE_LIMIT,
    },
    gatewayUrl: (e.WEAVER_URL ?? `http://${anyHost ? '127.0.0.1' : urlHost}:${e.WEAVER_PORT}`).replace(/\/+$/, ''),
  };
}

/** Load `.env` from the working directory when it exists (Node's own loader; variables already set win). */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
