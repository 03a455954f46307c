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
  WEAVER_DEFAULT_ACTORS: v.optional(v.string(), 'router,clock,greta,walle'),
  WEAVER_DEMO_DATA: v.optional(v.picklist(['true', 'false'], 'must be true or false'), 'true'),
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
