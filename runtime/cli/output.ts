// What the CLI writes: data to stdout (a table for people, one JSON document with --json), progress and
// errors to stderr, so `weaver … --json | jq` always sees clean JSON.
import { toErrorModel, type ErrorModel } from '../../protocol/index.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';

/** JSON with bigint as a decimal string (int8 columns and fencing tokens come back as BigInt). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** The error model on one line, every field present (details null when there are none). */
export function errorJson(model: ErrorModel): string {
  return JSON.stringify({ code: model.code, message: model.message, details: model.details ?? null, correlation_id: model.correlation_id }, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
}

export function printJson(value: unknown): void {
  process.stdout.write(toJson(value) + '\n');
}

export function printLine(text = ''): void {
  process.stdout.write(text + '\n');
}

/** A progress line ("starting embedded Postgres…") on stderr. */
export function note(text: string): void {
  process.stderr.write(text + '\n');
}

export interface Column<R> {
  readonly header: string;
  readonly value: (row: R) => string | number | bigint | null | undefined;
  readonly align?: 'left' | 'right';
}

/** A plain-text table: padded columns, two spaces apart, `-` for an empty cell. */
export function formatTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const cells = rows.map((r) => columns.map((c) => cellText(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (texts: readonly string[]) =>
    texts
      .map((t, i) => (columns[i]!.align === 'right' ? t.padStart(widths[i]!) : t.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

function cellText(value: string | number | bigint | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : String(value);
}


/** WEAVER_LOG_LEVEL=debug (or trace) shows stack traces and Postgres' own output. */
export const debugging = (): boolean => ['debug', 'trace'].includes(process.env.WEAVER_LOG_LEVEL ?? '');

/**
 * Report a failure on stderr and return the exit code: one readable line (or the error model as JSON),
 * never a stack trace unless WEAVER_LOG_LEVEL=debug. Errors not raised as CliError are unexpected (1),
 * except an invalid configuration, which is bad input (2).
 */
export function reportError(error: unknown, json: boolean): ExitCode {
  const model: ErrorModel = toErrorModel(error);
  const exitCode: ExitCode = error instanceof CliError ? error.exitCode : model.code === 'invalid_config' ? EXIT.usage : EXIT.unexpected;
  if (json) process.stderr.write(errorJson(model) + '\n');
  else process.stderr.write(`weaver: ${model.message}\n`);
  if (debugging() && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  return exitCode;
}

/** `--json` anywhere before `--`: also known when commander itself rejects the command line. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
