// The database layer: which Postgres to use (DATABASE_URL or the embedded one under the Weaver home), its
// process lifecycle, migrations, and slonik pools whose rows are checked by valibot schemas.
// It never holds business logic or knows tables beyond `pgmigrations`; SQL about events lives in runtime/eventlog.
export { createPool, errorText, redactUrl, resultParser, sql, SchemaValidationError } from './pool.ts';
export type { DatabasePool, DatabasePoolConnection, DatabaseTransactionConnection, PoolOptions } from './pool.ts';
export { migrate, pendingMigrations, MIGRATIONS_DIR, MIGRATIONS_TABLE } from './migrate.ts';
export {
  attachToRunningEmbedded,
  cleanUpAfterCrash,
  EmbeddedAlreadyRunningError,
  initEmbeddedPostgres,
  startEmbeddedPostgres,
} from './embedded.ts';
export type { ConnectionInfo, EmbeddedHandle, EmbeddedOptions } from './embedded.ts';
export { openDatabase } from './database.ts';
export type { Database, OpenDatabaseOptions } from './database.ts';
