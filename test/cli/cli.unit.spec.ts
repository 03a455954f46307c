import { describe, expect, it } from 'vitest';
import { killCommand, parseConfigJson, spawnCommand } from '../../runtime/cli/actor-command.ts';
import { dbLineLevel } from '../../runtime/cli/db-log.ts';
import { parseDuration } from '../../runtime/cli/duration.ts';
import { CliError, EXIT } from '../../runtime/cli/exit-codes.ts';
import { formatTable, wantsJson } from '../../runtime/cli/output.ts';

const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof CliError ? error.exitCode : error;
  }
  return 'no error';
};

describe('cli input', () => {
  it('reads durations with a unit, seconds by default, and refuses anything else with exit 2', () => {
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('3')).toBe(3_000);
    expect(usage(() => parseDuration('5x'))).toBe(EXIT.usage);
    expect(usage(() => parseDuration('0s'))).toBe(EXIT.usage);
  });

  it('accepts only a JSON object as --config', () => {
    expect(parseConfigJson(undefined)).toEqual({});
    expect(parseConfigJson('{"interval_ms": 200}')).toEqual({ interval_ms: 200 });
    expect(usage(() => parseConfigJson('{nope'))).toBe(EXIT.usage);
    expect(usage(() => parseConfigJson('[1]'))).toBe(EXIT.usage);
  });

  it('builds actor.* commands from the cli producer, the id defaulting to the kind, and checks ids against the protocol', () => {
    const spawn = spawnCommand('ponger', undefined, undefined);
    expect(spawn).toMatchObject({ kind: 'cmd', type: 'actor.Spawn', producer: 'cli', payload: { actor_id: 'ponger', kind: 'ponger', config: {} } });
    expect(killCommand('ponger:two').payload).toEqual({ actor_id: 'ponger:two' });
    expect(usage(() => spawnCommand('Bad Kind', undefined, undefined))).toBe(EXIT.usage);
    expect(usage(() => killCommand('has space'))).toBe(EXIT.usage);
  });

  it('knows --json even when commander rejects the line, but not after --', () => {
    expect(wantsJson(['actors', 'list', '--json'])).toBe(true);
    expect(wantsJson(['actors', 'spawn', 'x', '--', '--json'])).toBe(false);
  });
});

describe('cli output', () => {
  it('pads columns, right-aligns numbers and shows - for empty cells', () => {
    const table = formatTable(
      [
        { header: 'id', value: (r: { id: string; lag: bigint | null }) => r.id },
        { header: 'lag', value: (r) => r.lag, align: 'right' },
      ],
      [
        { id: 'ponger', lag: 12n },
        { id: 'pinger', lag: null },
      ],
    );
    expect(table.split('\n')).toEqual(['ID      LAG', 'ponger   12', 'pinger    -']);
  });

  it("shows Weaver's own lines about the embedded Postgres and Postgres errors, not its chatter", () => {
    expect(dbLineLevel('Started the embedded Postgres for /x on port 5432')).toBe('info');
    expect(dbLineLevel('Stopping postgres pid 12 left running on /x by a Weaver process that is gone')).toBe('info');
    expect(dbLineLevel('2026-11-25 19:59:25.433 UTC [12281] FATAL:  the database system is shutting down')).toBe('warn');
    expect(dbLineLevel('2026-11-25 19:59:25.433 UTC [12281] LOG:  database system is ready to accept connections')).toBe('debug');
  });
});
