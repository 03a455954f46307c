// `weaver status`: is the database reachable, is its schema up to date, which supervisors are alive and
// what they run. Exit 0 only when a live supervisor exists, so scripts can use it as a health check.
import type { Command } from 'commander';
import { pendingMigrations } from '../db/migrate.ts';
import { errorText, redactUrl } from '../db/pool.ts';
import { attachDatabase, cliConfig } from './database.ts';
import { EXIT } from './exit-codes.ts';
import { printJson, printLine } from './output.ts';
import { hasTable } from './sql/has-table.ts';
import { countDeadLetters, type DeadLetterCount } from './sql/count-dead-letters.ts';
import { listSupervisorOverview, type SupervisorOverview } from './sql/list-supervisors.ts';

interface Status {
  database: { reachable: boolean; url: string | null; embedded: boolean; error: string | null };
  migrations: { pending: string[] } | null;
  supervisors: SupervisorOverview[];
  alive: number;
  dead_letters: DeadLetterCount[];
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('database reachable, migrations pending, supervisors alive and the actors they run')
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExits 0 when at least one supervisor is alive, 3 when the database or every supervisor is down.\n\nExamples:\n  $ weaver status\n  $ weaver status --json | jq .alive')
    .action(showStatus);
}

async function showStatus(options: { json?: boolean }): Promise<void> {
  const config = cliConfig();
  const status: Status = {
    database: { reachable: false, url: null, embedded: !config.databaseUrl, error: null },
    migrations: null,
    supervisors: [],
    alive: 0,
    dead_letters: [],
  };
  let db: Awaited<ReturnType<typeof attachDatabase>> | null = null;
  try {
    db = await attachDatabase(config);
  } catch (error) {
    status.database.error = error instanceof Error ? error.message : errorText(error);
  }
  if (db) {
    try {
      status.database = { ...status.database, reachable: true, url: redactUrl(db.url) };
      status.migrations = { pending: await pendingMigrations(db.url) };
      // A database never migrated has no supervisors table; one with only later migrations pending still does.
      if (await hasTable(db.pool, 'supervisors')) {
        status.supervisors = await listSupervisorOverview(db.pool, config.leaseTtlMs);
      }
      if (await hasTable(db.pool, 'dead_letters')) status.dead_letters = await countDeadLetters(db.pool);
      status.alive = status.supervisors.filter((s) => s.alive).length;
    } finally {
      await db.close();
    }
  }
  if (options.json) printJson(status);
  else printLine(describe(status));
  if (status.alive === 0) process.exitCode = EXIT.notRunning;
}

function describe(s: Status): string {
  if (!s.database.reachable) return `database: not reachable — ${s.database.error}`;
  const out = [`database: ${s.database.url} (${s.database.embedded ? 'embedded' : 'DATABASE_URL'})`];
  const pending = s.migrations?.pending ?? [];
  out.push(pending.length ? `migrations: ${pending.length} pending (${pending.join(', ')}) — run \`npx weaver migrate\`` : 'migrations: up to date');
  if (s.supervisors.length === 0) out.push('supervisors: none running — start one with `npx weaver start`');
  for (const sup of s.supervisors) {
    const state = sup.alive ? 'alive' : `silent for ${Math.round(sup.heartbeat_age_ms / 1000)}s (presumed dead)`;
    out.push(`supervisor ${sup.id} on ${sup.host} pid ${sup.pid}: ${state}; actors: ${sup.actors.length ? sup.actors.join(', ') : 'none'}`);
  }
  if (s.dead_letters.length > 0) {
    const total = s.dead_letters.reduce((n, d) => n + d.count, 0);
    const per = s.dead_letters.map((d) => `${d.consumer}: ${d.count}, latest ${d.latest_code} at ${d.latest_at}`).join('; ');
    out.push(`dead letters: ${total} (${per}) — events parked with their reason in the table dead_letters`);
  }
  return out.join('\n');
}
