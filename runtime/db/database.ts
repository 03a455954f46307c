// Decides which Postgres this process uses: DATABASE_URL when given, else the embedded one of this Weaver
// home (attached to when another process runs it, started here otherwise).
import pg from 'pg';
import {
  attachToRunningEmbedded,
  EmbeddedAlreadyRunningError,
  startEmbeddedPostgres,
  type EmbeddedHandle,
} from './embedded.ts';
import { errorText, redactUrl } from './pool.ts';

export type OpenDatabaseOptions = {
  /** The caller passes process.env.DATABASE_URL; empty or undefined means "use the embedded one". */
  databaseUrl?: string;
  /** Weaver home directory (default `.weaver` in the working directory, resolved by the caller). */
  home: string;
  log: (msg: string) => void;
  /** Only attach to a running embedded Postgres, never start one (CLI commands beside `weaver start`). */
  attachOnly?: boolean;
};

export type Database = {
  url: string;
  /** Set when this process started the embedded Postgres and owns it; null when using DATABASE_URL or attached. */
  embedded: EmbeddedHandle | null;
  /** Stops the embedded Postgres if this process owns it; otherwise does nothing. */
  close(): Promise<void>;
};

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    await checkAnswers(opts.databaseUrl);
    return notOwned(opts.databaseUrl);
  }
  const attached = await attachToRunningEmbedded(opts.home);
  if (attached) {
    opts.log(`Using the embedded Postgres another Weaver process runs for ${opts.home}`);
    return notOwned(attached.url);
  }
  if (opts.attachOnly) {
    throw new Error(`No Weaver database is running for ${opts.home}. Start Weaver first (\`npm start\`), or set DATABASE_URL.`);
  }
  try {
    const embedded = await startEmbeddedPostgres({ home: opts.home, log: opts.log });
    opts.log(`Started the embedded Postgres for ${opts.home} on port ${embedded.port}`);
    return { url: embedded.url, embedded, close: () => embedded.stop() };
  } catch (err) {
    // Another process started it between our attach attempt and our start.
    if (!(err instanceof EmbeddedAlreadyRunningError)) throw err;
    const again = await attachToRunningEmbedded(opts.home);
    if (!again) throw new Error(`${err.message} But it does not answer; wait a moment and try again.`, { cause: err });
    return notOwned(again.url);
  }
}

function notOwned(url: string): Database {
  return { url, embedded: null, close: async () => {} };
}

async function checkAnswers(url: string): Promise<void> {
  if (!URL.canParse(url) || !['postgres:', 'postgresql:'].includes(new URL(url).protocol)) {
    throw new Error(`DATABASE_URL is not a Postgres URL; expected postgres://user:password@host:5432/database.`);
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `Cannot reach the database at ${redactUrl(url)} (DATABASE_URL): ${errorText(err)}. ` +
        `Check that Postgres is running and DATABASE_URL is right, or unset DATABASE_URL to use the embedded Postgres.`,
      { cause: err },
    );
  } finally {
    await client.end().catch(() => {});
  }
}
