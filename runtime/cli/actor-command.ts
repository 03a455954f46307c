// `weaver actors spawn|kill|restart`: check the input here (bad input never reaches the log), then have the
// actor.* command appended and wait for the supervisor's answer: through the running gateway, or, when no
// gateway answers and --url was not given, straight on the database (so a dead gateway can be restarted).
// The command stays in the log whatever happens; the exit code tells a script what became of it.
import { setTimeout as sleep } from 'node:timers/promises';
import * as v from 'valibot';
import { ActorKill, ActorRestart, ActorSpawn, issuesToDetails, makeEvent, type Envelope } from '../../protocol/index.ts';
import { awaitAnswer, commandResult, findCommand, type CommandResult, type CommandType } from '../repos/actor-answers.ts';
import { attachDatabase, cliConfig, explainQueryError } from './database.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { CliError, EXIT, usageError } from './exit-codes.ts';
import type { GatewayClient } from './gateway-client.ts';
import { gatewayOrNull, type UrlFlag } from './gateway-options.ts';
import { note, printJson, printLine } from './output.ts';
import { appendCommand } from './sql/append-command.ts';

export interface CommandOptions extends UrlFlag {
  readonly timeout: string;
  readonly json?: boolean;
}

const PRODUCER = 'cli';
const DIRECT = 'going to the database directly';
/** Under the gateway client's own 60 s request timeout. */
const MAX_WAIT_PER_REQUEST_MS = 50_000;

/** Parse `--config` text: a JSON object, or exit 2 with what is wrong. */
export function parseConfigJson(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`--config is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usageError('--config must be a JSON object, e.g. --config \'{"interval_ms": 1000}\'');
  return value as Record<string, unknown>;
}

export function spawnCommand(kind: string, id: string | undefined, configText: string | undefined): Envelope {
  return build(ActorSpawn, { actor_id: id ?? kind, kind, config: parseConfigJson(configText) });
}

export function killCommand(id: string): Envelope {
  return build(ActorKill, { actor_id: id });
}

export function restartCommand(id: string): Envelope {
  return build(ActorRestart, { actor_id: id });
}

/** The payload checked against the protocol's own schema, so the CLI and the supervisor agree on what is valid. */
function build<D extends typeof ActorSpawn | typeof ActorKill | typeof ActorRestart>(def: D, payload: v.InferOutput<D['payload']>): Envelope {
  const parsed = v.safeParse(def.payload, payload);
  if (!parsed.success) {
    const details = issuesToDetails(parsed.issues);
    throw usageError(details.map((d) => `${d.path === 'actor_id' ? 'id' : d.path}: ${d.message}`).join('; '), details);
  }
  return makeEvent(def, parsed.output as never, PRODUCER);
}

/** Have it done, wait, print; exit 0 when the supervisor did it, 4 when it refused or the actor failed, 5 on no answer. */
export async function runActorCommand(command: Envelope, options: CommandOptions): Promise<void> {
  const timeoutMs = parseDuration(options.timeout);
  const config = cliConfig();
  const deadline = performance.now() + timeoutMs;
  const client = await gatewayOrNull(options, config, DIRECT);
  const result = client ? await viaGateway(client, command, deadline, options) : await viaDatabase(command, deadline);
  if (result.outcome === 'pending') {
    throw new CliError(
      EXIT.timeout,
      'timeout',
      `no supervisor acknowledged ${command.type} ${result.actor_id} within ${formatDuration(timeoutMs)} — is \`weaver start\` running on this database? ` +
        `(the command stays in the log: a supervisor that starts later still carries it out)`,
      { command_id: result.command_id, command_type: result.command_type, actor_id: result.actor_id },
      result.command_id,
    );
  }
  report(result, options);
}

const waitParam = (deadline: number) => `wait=${Math.max(0, Math.min(MAX_WAIT_PER_REQUEST_MS, Math.ceil(deadline - performance.now())))}ms`;

/**
 * The gateway appends the command and waits; a 202 (no answer yet) is followed on GET /actors/commands/:id
 * until the deadline. Should the gateway go away meanwhile (a command that stops or restarts the gateway
 * itself), the answer is awaited on the database instead, unless --url was given.
 */
async function viaGateway(client: GatewayClient, command: Envelope, deadline: number, options: CommandOptions): Promise<CommandResult> {
  const { actor_id: actorId, kind, config } = command.payload as { actor_id: string; kind?: string; config?: Record<string, unknown> };
  let result: CommandResult;
  try {
    result =
      command.type === 'actor.Spawn'
        ? await client.post<CommandResult>(`/actors?${waitParam(deadline)}`, { kind, id: actorId, config })
        : await client.post<CommandResult>(`/actors/${encodeURIComponent(actorId)}/${command.type === 'actor.Kill' ? 'kill' : 'restart'}?${waitParam(deadline)}`);
  } catch (error) {
    return refused(error, actorId);
  }
  while (result.outcome === 'pending' && performance.now() < deadline) {
    try {
      result = await client.get<CommandResult>(`/actors/commands/${result.command_id}?${waitParam(deadline)}`);
    } catch (error) {
      if (!(error instanceof CliError) || error.code !== 'gateway_unreachable') throw error;
      if (options.url === undefined) {
        note(`the gateway at ${client.target.url} went away while waiting; ${DIRECT} for the answer`);
        return awaitOnDatabase(result, deadline);
      }
      await sleep(250); // it may be restarting: ask again
    }
  }
  return result;
}

/**
 * A refusal by the gateway or the supervisor, with the exit codes of the database path: a supervisor's
 * refusal (409 carrying the outcome) is reported like any outcome; an unknown id or kind, or killing a
 * stopped actor, is exit 4 ("rejected") as when the supervisor said so.
 */
function refused(error: unknown, actorId: string): CommandResult {
  if (!(error instanceof CliError)) throw error;
  const details = error.details as Partial<CommandResult> | undefined;
  if (error.exitCode === EXIT.rejected && details?.outcome === 'rejected' && details.command_id) return details as CommandResult;
  const rejected = (message: string) => new CliError(EXIT.rejected, error.code, `rejected: ${message}`, error.details, error.correlationId);
  if (error.code === 'not_found') throw rejected(`no actor ${actorId}; see \`weaver actors list\`, or spawn it with \`weaver actors spawn\``);
  if (error.code === 'actor_stopped') throw rejected(`actor ${actorId} is already stopped; \`weaver actors restart ${actorId}\` brings it back`);
  if (error.code === 'unknown_kind') throw rejected(error.message);
  throw error;
}

/** Append on the database and wait there: what the CLI did before the gateway existed. */
async function viaDatabase(command: Envelope, deadline: number): Promise<CommandResult> {
  const db = await attachDatabase(cliConfig());
  try {
    const at = await appendCommand(db.pool, command).catch((e: unknown) => Promise.reject(explainQueryError(e)));
    const logged = { id: command.id, type: command.type as CommandType, actorId: (command.payload as { actor_id: string }).actor_id, at };
    return commandResult(logged, await awaitAnswer(db.pool, logged.type, logged.id, at, deadline - performance.now()));
  } finally {
    await db.close();
  }
}

/** The answer to a command the gateway appended, read on the database. */
async function awaitOnDatabase(pending: CommandResult, deadline: number): Promise<CommandResult> {
  const db = await attachDatabase(cliConfig());
  try {
    const logged = await findCommand(db.pool, pending.command_id).catch((e: unknown) => Promise.reject(explainQueryError(e)));
    if (!logged) throw new CliError(EXIT.unexpected, 'command_lost', `the gateway accepted command ${pending.command_id}, but this database does not have it: does DATABASE_URL point at the gateway's database?`);
    return commandResult(logged, await awaitAnswer(db.pool, logged.type, logged.id, logged.at, deadline - performance.now()));
  } finally {
    await db.close();
  }
}

/** Print the outcome: with --json the one object on stdout either way; people get a refusal as an error line. */
function report(result: CommandResult, options: CommandOptions): void {
  const payload = (result.answer?.payload ?? {}) as { error?: { code: string; message: string }; supervisor_id?: string };
  const refusal = result.outcome === 'rejected' || result.outcome === 'failed';
  if (options.json) printJson(result);
  else if (refusal) throw new CliError(EXIT.rejected, result.outcome, describe(result, payload), result, result.command_id);
  else printLine(describe(result, payload));
  if (refusal) process.exitCode = EXIT.rejected;
}

function describe(result: CommandResult, payload: { error?: { message: string }; supervisor_id?: string }): string {
  const by = payload.supervisor_id ? ` by supervisor ${payload.supervisor_id}` : '';
  switch (result.outcome) {
    case 'rejected':
      return `rejected: ${payload.error?.message ?? 'the supervisor refused the command'}`;
    case 'failed':
      return `${result.actor_id} failed: ${payload.error?.message ?? 'see `weaver actors list`'}`;
    default:
      return `${result.actor_id} ${result.outcome}${by}`;
  }
}
