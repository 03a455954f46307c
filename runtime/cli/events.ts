// `weaver events tail [--follow]`: the running Weaver's thin ui.* events (run status, backtest progress,
// orders, fills, actor states) through its gateway. Without --follow it pages the REST tail after the
// cursor and exits; with --follow it streams them (SSE) until Ctrl-C, resuming after a dropped connection.
import type { Command } from 'commander';
import { UI_TYPES } from '../../protocol/index.ts';
import { cliConfig } from './database.ts';
import { followEvents, interruptible, type WireEvent } from './event-stream.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { gatewayClient, urlOption, type UrlFlag } from './gateway-options.ts';
import { note, printLine } from './output.ts';

interface TailFlags extends UrlFlag {
  follow?: boolean;
  after?: string;
  run?: string;
  types?: string;
  limit?: number;
  json?: boolean;
}

const PAGE = 1000;

export function registerEvents(program: Command): void {
  const events = program.command('events').description("the running Weaver's live ui.* events, through its gateway");
  urlOption(
    events
      .command('tail')
      .description('print the ui.* events after a cursor (default: all of them); with --follow, keep printing new ones until Ctrl-C')
      .option('--follow', 'keep streaming new events (SSE) until Ctrl-C; a dropped connection resumes where it left off')
      .option('--after <cursor>', 'only events after this log cursor (e.g. 812.4031: an earlier line\'s cursor); with --follow, default: from now on')
      .option('--run <id>', 'only the events of this run')
      .option('--types <list>', `only these types, comma-separated: ${UI_TYPES.join(', ')}`)
      .option('--limit <n>', 'stop after this many events', (v) => Number.parseInt(v, 10))
      .option('--json', 'one JSON object per line: the event as the gateway sends it ({cursor, id, type, ts, run_id, payload})'),
  )
    .addHelpText(
      'after',
      `
Lines read <time> <type> <key fields> <cursor>, e.g.
  2026-01-05T10:00:00.123Z ui.RunStatus run=0199… mode=backtest status=running  @812.4031

Examples:
  $ weaver events tail --run 0199c0de-… --types ui.RunStatus
  $ weaver events tail --follow --json | jq .type`,
    )
    .action(tail);
}

async function tail(flags: TailFlags): Promise<void> {
  if (flags.limit !== undefined && (!Number.isInteger(flags.limit) || flags.limit < 1)) throw new CliError(EXIT.usage, 'bad_usage', '--limit must be a positive integer');
  const types = flags.types?.split(',').map((t) => t.trim()).filter(Boolean);
  const unknown = types?.filter((t) => !UI_TYPES.includes(t)) ?? [];
  if (unknown.length > 0) throw new CliError(EXIT.usage, 'bad_usage', `--types ${unknown.join(',')}: not a ui event type; known: ${UI_TYPES.join(', ')}`);
  const client = gatewayClient(flags, cliConfig());
  const print = (e: WireEvent) => printLine(flags.json ? JSON.stringify(e) : humanLine(e));

  if (!flags.follow) {
    let after = flags.after;
    let printed = 0;
    for (;;) {
      const want = Math.min(PAGE, flags.limit === undefined ? PAGE : flags.limit - printed);
      const query = new URLSearchParams({ limit: String(want) });
      if (after) query.set('after', after);
      if (flags.run) query.set('run_id', flags.run);
      if (types?.length) query.set('types', types.join(','));
      const page = await client.get<{ events: WireEvent[]; next: string }>(`/events/tail?${query}`);
      for (const e of page.events) print(e);
      printed += page.events.length;
      after = page.next;
      if (page.events.length < want || (flags.limit !== undefined && printed >= flags.limit)) return;
    }
  }

  const stop = interruptible();
  let printed = 0;
  try {
    await followEvents(client, {
      runId: flags.run,
      types,
      after: flags.after,
      signal: stop.signal,
      onConnected: (again) => note(again ? 'reconnected; resuming after the last event' : `following the events of ${client.target.url} (Ctrl-C to stop)`),
      onDrop: (why) => note(`connection lost (${why}); reconnecting…`),
      onEvent: (e) => {
        print(e);
        printed++;
        if (flags.limit !== undefined && printed >= flags.limit) stop.abort();
      },
    });
  } finally {
    stop.dispose();
  }
}

const SHORT: Readonly<Record<string, string>> = { run_id: 'run', instance_id: 'instance', order_id: 'order', fill_id: 'fill', actor_id: 'actor', bar_index: 'bar' };
/** Keys first, then what happened (the payload comes back from jsonb in its own key order). */
const ORDER = ['run_id', 'instance_id', 'actor_id', 'kind', 'order_id', 'fill_id', 'symbol', 'side', 'mode', 'status', 'state', 'bar_index', 'at'];
const rank = (key: string) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);

/** `<ts> <type> <key=value …>  @<cursor>`, e.g. `… ui.RunStatus run=0199… mode=backtest status=running  @812.4031`. */
export function humanLine(e: WireEvent): string {
  const fields = Object.entries(e.payload ?? {})
    .filter(([, v]) => v !== null && v !== undefined)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([k, v]) => `${SHORT[k] ?? k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return `${e.ts} ${e.type} ${fields.join(' ')}  @${e.cursor}`;
}
