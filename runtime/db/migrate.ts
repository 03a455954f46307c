// Applies migrations/*.sql with node-pg-migrate 9. Its SQL loader runs the part of each file between
// `-- Up Migration` and `-- Down Migration` as one multi-statement query, then records the file's name
// (without `.sql`) in `pgmigrations`.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { errorText, redactUrl } from './pool.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
export const MIGRATIONS_TABLE = 'pgmigrations';

// node-pg-migrate loads every non-dot file in the directory and hands unknown extensions to jiti, so a
// stray README would break `migrate`. Only `NNNN_name.sql` files are migrations here.
const IGNORE_PATTERN = '(?![^.].*\\.sql$).*';
const isMigrationFile = (name: string) => !new RegExp(`^${IGNORE_PATTERN}$`).test(name);

/**
 * Applies every pending migration and returns the names applied (empty when up to date). All pending
 * migrations run in one transaction: a failure leaves the schema as it was. Two processes may call this at
 * once: node-pg-migrate's advisory lock (pg_advisory_lock, per database) is set to 'wait' (its default,
 * 'fail', would make the second process throw), so the second waits and then finds nothing to do.
 */
export async function migrate(url: string, log: (msg: string) => void = () => {}): Promise<string[]> {
  const client = await connect(url, 'weaver-migrate');
  try {
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      ignorePattern: IGNORE_PATTERN,
      direction: 'up',
      migrationsTable: MIGRATIONS_TABLE,
      advisoryLockMode: 'wait',
      // The programmatic runner only honours this when set (the CLI defaults it on).
      singleTransaction: true,
      checkOrder: true,
      log,
    });
    return applied.map((m) => m.name);
  } catch (err) {
    throw new Error(
      `Migrating ${redactUrl(url)} failed: ${errorText(err)}. Nothing was applied (one transaction); ` +
        `fix the migration or the database, then run \`npm run migrate\` again.`,
      { cause: err },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Names of migrations on disk not yet applied, in order; read-only (for a readiness check). */
export async function pendingMigrations(url: string): Promise<string[]> {
  const files = await migrationNames();
  const client = await connect(url, 'weaver-readiness');
  try {
    const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [MIGRATIONS_TABLE]);
    if (exists.rows[0]?.t == null) return files;
    const done = await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
    const applied = new Set(done.rows.map((r) => r.name));
    return files.filter((f) => !applied.has(f));
  } finally {
    await client.end().catch(() => {});
  }
}

/** The migrations on disk, in order (names without .sql, as pgmigrations stores them). */
export async function migrationNames(): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter(isMigrationFile).map((f) => f.slice(0, -'.sql'.length));
  return files.sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
}

async function connect(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, application_name: applicationName });
  // Without a listener a server-side disconnect would crash the process; the pending query rejects anyway.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `Cannot connect to ${redactUrl(url)}: ${errorText(err)}. Check that Postgres is running and the URL is right.`,
      { cause: err },
    );
  }
  return client;
}
