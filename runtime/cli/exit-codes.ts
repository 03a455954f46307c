// The process exit codes of `weaver`, a contract for scripts: they never change meaning once released.
// CliError carries the code with the error model, so every command fails the same way.
import { WeaverError } from '../../protocol/index.ts';

export const EXIT = {
  /** Done as asked. */
  ok: 0,
  /** Anything unexpected (a bug, a failed migration, the database failing mid-command). */
  unexpected: 1,
  /** Bad usage or input: unknown option, bad JSON, an invalid id or configuration. Nothing was changed. */
  usage: 2,
  /** Weaver or its database is not running or not reachable (nothing to attach to, no supervisor alive). */
  notRunning: 3,
  /** The supervisor answered and refused the command (unknown kind, unknown or duplicate id), or the actor failed. */
  rejected: 4,
  /** No supervisor acknowledged the command in time; it stays in the log. */
  timeout: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The epilog of `weaver --help`. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  unexpected error
  2  bad usage or input (nothing was changed)
  3  not running or unreachable (database or supervisor)
  4  command rejected by the supervisor (or the actor failed to start)
  5  timeout waiting for the supervisor's acknowledgement

Environment: DATABASE_URL (default: the embedded Postgres under WEAVER_HOME, default .weaver),
WEAVER_LOG_LEVEL (debug shows stack traces), WEAVER_LOG_FORMAT (pretty|json); read from .env too.`;

/** An expected failure: its message is for the user, its exit code for scripts; no stack trace is shown. */
export class CliError extends WeaverError {
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, code: string, message: string, details?: unknown, correlationId: string | null = null) {
    super(code, message, details, correlationId);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string, details?: unknown) => new CliError(EXIT.usage, 'bad_usage', message, details);
