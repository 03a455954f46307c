// `weaver actors spawn|kill|restart`: check the input here (bad input never reaches the log), append the
// actor.* command, then wait for the supervisor's answer. The command stays in the log whatever happens;
// the exit code tells a script what became of it.
import * as v from 'valibot';
import { ActorKill, ActorRestart, ActorSpawn, issuesToDetails, makeEvent, type Envelope } from '../../protocol/index.ts';
import { awaitAnswer, type CommandType, type Outcome } from './await-answer.ts';
import { attachDatabase, cliConfig, explainQueryError } from './database.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { CliError, EXIT, usageError } from './exit-codes.ts';
import { printJson, printLine } from './output.ts';
import { appendCommand } from './sql/append-command.ts';

export interface CommandOptions {
  readonly timeout: string;
  readonly json?: boolean;
}

const PRODUCER = 'cli';

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

/** Append, wait, print; exit 0 when the supervisor did it, 4 when it refused or the actor failed, 5 on no answer. */
export async function runActorCommand(command: Envelope, options: CommandOptions): Promise<void> {
  const timeoutMs = parseDuration(options.timeout);
  const config = cliConfig();
  const db = await attachDatabase(config);
  try {
    const at = await appendCommand(db.pool, command).catch((e: unknown) => Promise.reject(explainQueryError(e)));
    const answered = await awaitAnswer(db.pool, command.type as CommandType, command.id, at, timeoutMs);
    const actorId = (command.payload as { actor_id: string }).actor_id;
    if (!answered) {
      throw new CliError(
        EXIT.timeout,
        'timeout',
        `no supervisor acknowledged ${command.type} ${actorId} within ${formatDuration(timeoutMs)} — is \`weaver start\` running on this database? ` +
          `(the command stays in the log: a supervisor that starts later still carries it out)`,
        { command_id: command.id, command_type: command.type, actor_id: actorId },
        command.id,
      );
    }
    const { outcome, answer } = answered;
    const payload = answer.payload as { error?: { code: string; message: string }; supervisor_id?: string };
    const result = {
      command_id: command.id,
      command_type: command.type,
      actor_id: actorId,
      outcome,
      answer: { id: answer.id, type: answer.type, cursor: `${answer.tx}.${answer.position}`, payload: answer.payload },
    };
    const refused = outcome === 'rejected' || outcome === 'failed';
    // With --json the answer is the one object on stdout either way; people get a refusal as an error line.
    if (options.json) printJson(result);
    else if (refused) throw new CliError(EXIT.rejected, outcome, describe(outcome, actorId, payload), result, command.id);
    else printLine(describe(outcome, actorId, payload));
    if (refused) process.exitCode = EXIT.rejected;
  } finally {
    await db.close();
  }
}

function describe(outcome: Outcome, actorId: string, payload: { error?: { message: string }; supervisor_id?: string }): string {
  const by = payload.supervisor_id ? ` by supervisor ${payload.supervisor_id}` : '';
  switch (outcome) {
    case 'rejected':
      return `rejected: ${payload.error?.message ?? 'the supervisor refused the command'}`;
    case 'failed':
      return `${actorId} failed: ${payload.error?.message ?? 'see `weaver actors list`'}`;
    default:
      return `${actorId} ${outcome}${by}`;
  }
}
