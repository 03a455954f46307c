// How a CLI command (other than `start`) reaches Weaver's database: DATABASE_URL, or the embedded Postgres a
// running `weaver start` owns under WEAVER_HOME. It never starts Postgres itself; `migrate` decides that on its own.
import type { DatabasePool } from 'slonik';
import { openDatabase } from '../db/database.ts';
import { createPool, errorText, redactUrl } from '../db/pool.ts';
import { loadConfig, loadDotEnv, type Config } from '../config.ts';
import { CliError, EXIT } from './exit-codes.ts';

/** `.env` then the environment; an invalid value is bad input (exit 2), reported by reportError. */
export function cliConfig(): Config {
  loadDotEnv();
  return loadConfig();
}

export interface Attached {
  readonly url: string;
  readonly pool: DatabasePool;
  close(): Promise<void>;
}

/** Attach or fail with exit 3 and a message saying how to start Weaver. */
export async function attachDatabase(config: Config, log: (msg: string) => void = () => {}): Promise<Attached> {
  let url: string;
  try {
    ({ url } = await openDatabase({ databaseUrl: config.databaseUrl, home: config.home, log, attachOnly: true }));
  } catch (error) {
    throw notRunning(config, error);
  }
  // Two connections: the CLI runs one query at a time, and every connection counts against max_connections.
  const pool = await createPool(url, { maximumPoolSize: 2, applicationName: 'weaver-cli' }).catch((error: unknown) => {
    throw notRunning(config, error);
  });
  return { url, pool, close: () => pool.end() };
}

export function notRunning(config: Config, cause: unknown): CliError {
  if (config.databaseUrl) {
    const text = firstLine(errorText(cause));
    // openDatabase's own message already names the database and says what to check.
    const message = /^Cannot reach the database/.test(text) ? text : `cannot reach the database at ${redactUrl(config.databaseUrl)} (DATABASE_URL): ${text}`;
    return new CliError(EXIT.notRunning, 'unreachable', message);
  }
  return new CliError(
    EXIT.notRunning,
    'not_running',
    `Weaver is not running for ${config.home} (no embedded Postgres answers there). Start it with \`npx weaver start\`, or set DATABASE_URL.`,
  );
}

/**
 * A query failed because the schema is missing (undefined_table, 42P01): the database was never migrated.
 * Anything else is left as it is (unexpected, exit 1).
 */
export function explainQueryError(error: unknown): unknown {
  const text = `${errorText(error)} ${errorText((error as { cause?: unknown })?.cause)}`;
  if ((error as { cause?: { code?: string } })?.cause?.code === '42P01' || /relation "[^"]+" does not exist/.test(text)) {
    return new CliError(EXIT.notRunning, 'not_migrated', 'the database has no Weaver tables yet: run `npx weaver migrate` (or `npx weaver start`) first.');
  }
  return error;
}

const firstLine = (text: string) => text.split('\n')[0] ?? text;
