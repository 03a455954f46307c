// `weaver migrate`: apply pending migrations. Without DATABASE_URL it uses the embedded Postgres a running
// Weaver owns, or starts one for this command alone and stops it afterwards.
import type { Command } from 'commander';
import { openDatabase } from '../db/database.ts';
import { attachToRunningEmbedded } from '../db/embedded.ts';
import { migrate } from '../db/migrate.ts';
import { redactUrl } from '../db/pool.ts';
import { cliConfig, notRunning } from './database.ts';
import { dbLineLevel } from './db-log.ts';
import { debugging, note, printJson, printLine } from './output.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (weaver start does this too)')
    .option('--json', 'print one JSON object: {database, embedded, applied}')
    .addHelpText('after', '\nExamples:\n  $ weaver migrate\n  $ DATABASE_URL=postgres://weaver:secret@db:5432/weaver weaver migrate --json')
    .action(runMigrate);
}

type EmbeddedUse = 'none' | 'attached' | 'temporary';

async function runMigrate(options: { json?: boolean }): Promise<void> {
  const config = cliConfig();
  let embedded: EmbeddedUse = 'none';
  if (!config.databaseUrl) {
    embedded = (await attachToRunningEmbedded(config.home)) ? 'attached' : 'temporary';
    if (embedded === 'temporary') note(`starting embedded Postgres under ${config.home} for this command…`);
  }
  let db;
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, home: config.home, log: dbNote });
  } catch (error) {
    throw embedded === 'temporary' ? error : notRunning(config, error);
  }
  try {
    const applied = await migrate(db.url, debugNote);
    if (options.json) printJson({ database: redactUrl(db.url), embedded, applied });
    else printLine(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'the database is up to date; nothing to apply');
  } finally {
    if (db.embedded) note('stopping the temporary embedded Postgres…');
    await db.close();
  }
}

/** node-pg-migrate's chatter is for debugging only; the result is printed at the end. */
const debugNote = (msg: string) => (debugging() ? note(msg) : undefined);
const dbNote = (msg: string) => (debugging() || dbLineLevel(msg) !== 'debug' ? note(msg) : undefined);
