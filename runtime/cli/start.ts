// `weaver start`: open the database (DATABASE_URL, or the embedded Postgres under WEAVER_HOME), migrate,
// start the supervisor with the default actors, and run until SIGINT/SIGTERM. Shutdown stops the actors
// first, then the embedded Postgres, so no batch is cut off by the database going away under it.
import type { Command } from 'commander';
import { WeaverError } from '../../protocol/index.ts';
import type { Config } from '../config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { seedDemoDataIfEmpty } from '../data/seed.ts';
import { redactUrl } from '../db/pool.ts';
import { createLogger, type Logger } from '../log.ts';
import { startSupervisor, type Supervisor } from '../supervisor/index.ts';
import { cliConfig, notRunning } from './database.ts';
import { dbLineLevel } from './db-log.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { onShutdownSignal } from './shutdown.ts';
import { ensureWebBuild } from './web-build.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run Weaver: database, migrations, supervisor and the default actors, until Ctrl-C')
    .addHelpText(
      'after',
      '\nWithout DATABASE_URL an embedded Postgres keeps its data under WEAVER_HOME (default .weaver).\n' +
        'WEAVER_DEFAULT_ACTORS (default router,clock,greta,walle,gateway) lists the actors to create if missing; each id is its kind.\n' +
        'The gateway serves REST, SSE and the API docs (/openapi.json) on WEAVER_HOST:WEAVER_PORT (default 127.0.0.1:7400).\n' +
        'On a database without candles it first writes a year of 1m demo bars (~30 s; WEAVER_DEMO_DATA=false skips it).\n' +
        'Ctrl-C (SIGINT), SIGTERM or SIGHUP (a closed terminal) shuts down gracefully; a second one exits at once.\n\n' +
        'Examples:\n  $ npx weaver start\n  $ DATABASE_URL=postgres://weaver:secret@localhost:5432/weaver WEAVER_DEFAULT_ACTORS=pinger npx weaver start',
    )
    .action(runStart);
}

/** Resolves with the exit code once Weaver has shut down after a signal. */
async function runStart(): Promise<void> {
  const config = cliConfig();
  // Workers inherit the environment; their stdout is never a TTY, so they must be told the format we chose.
  process.env.WEAVER_LOG_FORMAT ??= process.stdout.isTTY ? 'pretty' : 'json';
  const log = createLogger('weaver');
  let db: Database | null = null;
  let supervisor: Supervisor | null = null;
  let shuttingDown = false;
  let startup: Promise<void> = Promise.resolve();
  const seeding = new AbortController(); // Ctrl-C stops the demo seed within a batch; it rolls back

  const signals = onShutdownSignal(log, async () => {
    shuttingDown = true;
    seeding.abort();
    await startup.catch(() => {}); // a step in flight finishes first; the steps after it are skipped
    await supervisor?.stop();
    if (db?.embedded) log.info('stopping embedded Postgres…');
    await db?.close();
    log.info('Weaver stopped');
  });

  startup = (async () => {
    db = await openDb(config, log, () => shuttingDown);
    if (shuttingDown) return;
    const applied = await migrate(db.url, (msg) => log.debug(msg));
    log.info(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations: up to date');
    if (shuttingDown) return;
    // Before the supervisor: its long transaction would hold back every consumer's horizon meanwhile.
    if (config.demoData) await seedDemoDataIfEmpty({ url: db.url, logger: log, signal: seeding.signal });
    if (shuttingDown) return;
    if (config.defaultActors.includes('gateway')) await ensureWebBuild(log, seeding.signal);
    if (shuttingDown) return;
    supervisor = await startSupervisor({ config, databaseUrl: db.url, log });
    if (shuttingDown) return;
    await ensureDefaultActors(supervisor, config);
    log.info(
      { database: redactUrl(db.url), embedded: db.embedded !== null, home: config.home, supervisor: supervisor.id, actors: config.defaultActors },
      `Weaver is ready: supervisor ${supervisor.id} on ${redactUrl(db.url)}; default actors ${config.defaultActors.join(', ') || '(none)'}` +
        `${config.defaultActors.includes('gateway') ? `; gateway on ${config.gatewayUrl}` : ''}. Ctrl-C to stop.`,
    );
  })();

  try {
    await startup;
  } catch (error) {
    // Nothing half-started stays behind: stop what did start, then report why.
    signals.dispose();
    // (The casts: both are assigned inside the startup closure, which TypeScript's narrowing cannot see.)
    await (supervisor as Supervisor | null)?.stop().catch(() => {});
    await (db as Database | null)?.close().catch(() => {});
    throw error;
  }
  process.exitCode = await signals.stopped;
}

async function openDb(config: Config, log: Logger, shuttingDown: () => boolean): Promise<Database> {
  log.info(config.databaseUrl ? `connecting to ${redactUrl(config.databaseUrl)}…` : `starting embedded Postgres under ${config.home}…`);
  // While shutting down, Postgres' own lines (FATAL: terminating connection …) are expected: debug only.
  const dbLog = (line: string) => log[shuttingDown() ? 'debug' : dbLineLevel(line)](line);
  try {
    return await openDatabase({ databaseUrl: config.databaseUrl, home: config.home, log: dbLog });
  } catch (error) {
    // An unreachable DATABASE_URL is "not running" (3); an embedded Postgres that fails to start is unexpected (1).
    throw config.databaseUrl ? notRunning(config, error) : error;
  }
}

/** The default actors of WEAVER_DEFAULT_ACTORS; an unknown kind there is a configuration mistake (exit 2). */
async function ensureDefaultActors(supervisor: Supervisor, config: Config): Promise<void> {
  try {
    await supervisor.ensureActors(config.defaultActors.map((kind) => ({ id: kind, kind, config: {} })));
  } catch (error) {
    if (error instanceof WeaverError) throw new CliError(EXIT.usage, error.code, `WEAVER_DEFAULT_ACTORS: ${error.message}`, error.details);
    throw error;
  }
}
