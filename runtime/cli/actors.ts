// `weaver actors list|spawn|kill|restart`, through the running gateway (GET /actors, POST /actors…). list
// reads the actors; the others only have actor.* commands appended to the log (the supervisor alone acts on
// them) and wait for its answer. With no gateway answering and no --url, they work on the database directly.
import type { Command } from 'commander';
import { listActorOverview, type ActorOverview } from '../repos/actors.ts';
import { killCommand, restartCommand, runActorCommand, spawnCommand, type CommandOptions } from './actor-command.ts';
import { attachDatabase, cliConfig, explainQueryError } from './database.ts';
import { gatewayOrNull, urlOption, type UrlFlag } from './gateway-options.ts';
import { formatTable, printJson, printLine } from './output.ts';

const TIMEOUT_FLAGS = '--timeout <duration>';
const TIMEOUT_HELP = 'how long to wait for the supervisor to answer (e.g. 15s, 500ms, 2m)';

export function registerActors(program: Command): void {
  const actors = program
    .command('actors')
    .description('list the actors and control them (spawn, kill, restart) through the gateway and the event log')
    .addHelpText(
      'after',
      '\nWithout --url, when no gateway answers at WEAVER_URL (or WEAVER_HOST:WEAVER_PORT), the commands work on the\n' +
        'database directly and say so on stderr; that is how a stopped gateway actor is restarted.\n\n' +
        'Examples:\n  $ weaver actors list\n  $ weaver actors spawn ponger --id ponger:two\n  $ weaver actors restart ponger:two --json\n  $ weaver actors restart gateway',
    );

  urlOption(actors.command('list'))
    .description('every actor: desired and observed state, restarts, lease holder, consumer offset and lag')
    .option('--json', 'print a JSON array instead of a table')
    .addHelpText('after', '\nColumns: OFFSET is the consumer cursor tx.position; LAG counts the events of any type after it.')
    .action((options: UrlFlag & { json?: boolean }, command: Command) => listActors({ ...command.optsWithGlobals(), ...options }));

  urlOption(actors.command('spawn'))
    .description('ask the supervisor to start a new actor of a kind')
    .argument('<kind>', 'actor kind, e.g. pinger (see actors/index.ts)')
    .option('--id <id>', 'actor id: the kind, optionally followed by :name (default: the kind)')
    .option('--config <json>', 'actor config as a JSON object (default: {})')
    .option(TIMEOUT_FLAGS, TIMEOUT_HELP, '15s')
    .option('--json', 'print the outcome as one JSON object')
    .addHelpText('after', `\nExamples:\n  $ weaver actors spawn ponger --id ponger:two\n  $ weaver actors spawn pinger --id pinger:fast --config '{"interval_ms": 200}' --timeout 30s`)
    .action((kind: string, options: CommandOptions & { id?: string; config?: string }, command: Command) =>
      runActorCommand(spawnCommand(kind, options.id, options.config), { ...command.optsWithGlobals(), ...options }),
    );

  urlOption(actors.command('kill'))
    .description('ask the supervisor to stop an actor (it stays listed as stopped; spawn or restart brings it back)')
    .argument('<id>', 'actor id')
    .option(TIMEOUT_FLAGS, TIMEOUT_HELP, '15s')
    .option('--json', 'print the outcome as one JSON object')
    .addHelpText('after', '\nExample:\n  $ weaver actors kill ponger:two')
    .action((id: string, options: CommandOptions, command: Command) => runActorCommand(killCommand(id), { ...command.optsWithGlobals(), ...options }));

  urlOption(actors.command('restart'))
    .description('ask the supervisor to restart an actor from its stored offset (also revives a failed or killed one)')
    .argument('<id>', 'actor id')
    .option(TIMEOUT_FLAGS, TIMEOUT_HELP, '15s')
    .option('--json', 'print the outcome as one JSON object')
    .addHelpText('after', '\nExample:\n  $ weaver actors restart ponger')
    .action((id: string, options: CommandOptions, command: Command) => runActorCommand(restartCommand(id), { ...command.optsWithGlobals(), ...options }));
}

async function listActors(options: UrlFlag & { json?: boolean }): Promise<void> {
  const config = cliConfig();
  const client = await gatewayOrNull(options, config, 'reading the database directly');
  const rows = client ? (await client.get<{ items: ActorOverview[] }>('/actors')).items : await fromDatabase();
  printActors(rows, options);
}

async function fromDatabase(): Promise<ActorOverview[]> {
  const db = await attachDatabase(cliConfig());
  try {
    return await listActorOverview(db.pool).catch((e: unknown) => Promise.reject(explainQueryError(e)));
  } finally {
    await db.close();
  }
}

function printActors(rows: readonly ActorOverview[], options: { json?: boolean }): void {
  if (options.json) return printJson(rows);
  if (rows.length === 0) return printLine('no actors yet (weaver start creates the default ones)');
  printLine(
    formatTable(
      [
        { header: 'id', value: (r) => r.id },
        { header: 'kind', value: (r) => r.kind },
        { header: 'state', value: (r) => (r.desired === 'stopped' && r.state !== 'stopped' ? `${r.state} (stopping)` : r.state) },
        { header: 'restarts', value: (r) => r.restarts, align: 'right' },
        { header: 'lease holder', value: (r) => r.lease_holder },
        { header: 'offset', value: (r) => r.offset },
        { header: 'lag', value: (r) => r.lag, align: 'right' },
      ],
      rows,
    ),
  );
}
