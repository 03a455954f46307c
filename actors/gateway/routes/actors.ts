// Actors: the overview (state, restarts, lease, offset, lag) and the supervisor's control commands. A write
// only appends an actor.Spawn/Kill/Restart command (the supervisor alone acts on it) and then waits up to
// `wait` for the supervisor's answer: 200 with the outcome (409 when the supervisor refused), or 202 with a
// Location to follow when none came in time. Bad input never reaches the log.
import type { Response } from 'express';
import * as v from 'valibot';
import { ACTOR_KINDS } from '../../index.ts';
import { ActorId, ActorKill, ActorRestart, ActorSpawn, issuesToDetails, makeEvent, type Envelope } from '../../../protocol/index.ts';
import { awaitAnswer, commandResult, findAnswers, findCommand, finalAnswer } from '../../../runtime/repos/actor-answers.ts';
import { ActorOverview, getActorOverview, listActorOverview } from '../../../runtime/repos/actors.ts';
import type { GatewayDeps } from '../deps.ts';
import { corrIdFor } from '../http/correlation.ts';
import { conflict, HttpError, invalid, notFound } from '../http/errors.ts';
import { Reply, route } from '../http/route.ts';
import { UuidParam } from '../http/schemas.ts';

const PRODUCER = 'gateway';
const MAX_WAIT_MS = 60_000;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;
const WAIT_TEXT = 'must be a duration from 0s to 60s, such as 15s, 500ms or 1m';

/** `wait`: how long to wait for the supervisor's answer (a number with ms, s or m; a bare number is seconds). */
const WaitQuery = (fallback: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,6}(\.\d{1,3})?(ms|s|m)?$/, WAIT_TEXT),
      v.transform((s) => {
        const m = /^([\d.]+)(ms|s|m)?$/.exec(s)!;
        return Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS]);
      }),
      v.maxValue(MAX_WAIT_MS, WAIT_TEXT),
    ),
    fallback,
  );

const KINDS = () => Object.keys(ACTOR_KINDS);
const { actor_id: SpawnId, kind: SpawnKind, config: SpawnConfig } = ActorSpawn.payload.entries;

export const SpawnRequest = v.strictObject({
  kind: SpawnKind,
  /** Default: the kind. */
  id: v.optional(SpawnId),
  /** The actor's config; the supervisor checks it against the kind's own schema. Default {}. */
  config: v.optional(SpawnConfig),
});

const Outcome = v.object({
  command_id: v.string(),
  command_type: v.picklist(['actor.Spawn', 'actor.Kill', 'actor.Restart']),
  actor_id: v.string(),
  outcome: v.picklist(['pending', 'started', 'stopped', 'restarted', 'failed', 'rejected']),
  answer: v.optional(v.object({ id: v.string(), type: v.string(), cursor: v.string(), payload: v.unknown() })),
});
const Pending = v.object({ ...Outcome.entries, location: v.string() });
const IdParams = v.strictObject({ id: v.pipe(ActorId, v.description('an actor id such as ponger or marvin:3f2a (see GET /actors)')) });
const WaitOnly = v.strictObject({ wait: WaitQuery('10s') });

const WRITE_RESPONSES = {
  200: { description: 'the supervisor answered: outcome started, stopped, restarted or failed (the actor did not come up)', schema: Outcome },
  202: { description: 'no answer within `wait`: the command stays in the log; follow the Location (GET /actors/commands/{command_id})', schema: Pending },
};
const WRITE_DESCRIPTION =
  'Appends the command and waits up to `wait` (default 10s, at most 60s) for the supervisor. 200: answered; 409: the supervisor refused it ' +
  '(its error code and message; details carry the outcome); 202: not answered in time, with a Location to follow.';

export function actorRoutes(deps: GatewayDeps) {
  const { db } = deps;

  /** Append, wait for the answer, and say what became of the command. */
  async function issue(command: Envelope, waitMs: number, res: Response): Promise<unknown> {
    await deps.publish([command]);
    const logged = await findCommand(db, command.id);
    if (!logged) throw new Error(`command ${command.id} is not in the log right after it was appended`);
    const stop = new AbortController();
    res.once('close', () => stop.abort());
    const answered = waitMs > 0 ? await awaitAnswer(db, logged.type, logged.id, logged.at, waitMs, stop.signal) : null;
    const result = commandResult(logged, answered);
    if (!answered) {
      const location = `/actors/commands/${command.id}`;
      return new Reply(202, { ...result, location }, { Location: location });
    }
    if (answered.outcome === 'rejected') {
      const error = (answered.answer.payload as { error?: { code?: string; message?: string } }).error;
      throw conflict(error?.code ?? 'rejected', error?.message ?? `the supervisor refused ${command.type} ${logged.actorId}`, result);
    }
    return result;
  }

  const meta = (res: Response) => (corrIdFor(res) ? { corr_id: corrIdFor(res)! } : {});

  /** The target of a kill or restart; 404 when no actor has that id. */
  async function existing(id: string) {
    const actor = await getActorOverview(db, id);
    if (!actor) throw notFound(`no actor ${id}; see GET /actors, or spawn it with POST /actors`, { actor_id: id });
    return actor;
  }

  /** The gateway cannot wait for a command that stops or restarts a gateway (maybe itself): it answers 202 at once. */
  const waitFor = (kind: string, waitMs: number) => (kind === 'gateway' ? 0 : waitMs);

  return [
    route({
      method: 'get',
      path: '/actors',
      tag: 'actors',
      summary: 'Every actor: desired and observed state, restarts, last error, lease holder, consumer offset and lag',
      description: '`offset` is the actor consumer\'s cursor `tx.position` (null before its first batch); `lag` counts the events of any type after it.',
      query: v.strictObject({}),
      responses: { 200: { description: 'actors by id', schema: v.object({ items: v.array(ActorOverview) }) } },
      handle: async () => ({ items: await listActorOverview(db) }),
    }),
    route({
      method: 'get',
      path: '/actors/commands/:command_id',
      tag: 'actors',
      summary: 'What became of an actor command so far: pending, or its final outcome',
      description: 'Always 200 for a known command (outcome rejected included); `wait` (default 0s, at most 60s) long-polls for the final answer.',
      params: v.strictObject({ command_id: v.pipe(UuidParam, v.description('the command_id of a POST /actors… answer')) }),
      query: v.strictObject({ wait: WaitQuery('0s') }),
      responses: { 200: { description: 'the outcome so far', schema: Outcome } },
      errors: [404],
      handle: async ({ params, query }, _req, res) => {
        const command = await findCommand(db, params.command_id);
        if (!command) throw notFound(`no actor command ${params.command_id} in the log (a POST /actors… answer carries its command_id)`, { command_id: params.command_id });
        const stop = new AbortController();
        res.once('close', () => stop.abort());
        const answered =
          query.wait > 0 ? await awaitAnswer(db, command.type, command.id, command.at, query.wait, stop.signal) : finalAnswer(command.type, await findAnswers(db, command.id, command.at));
        return commandResult(command, answered);
      },
    }),
    route({
      method: 'get',
      path: '/actors/:id',
      tag: 'actors',
      summary: 'One actor, as in GET /actors',
      params: IdParams,
      query: v.strictObject({}),
      responses: { 200: { description: 'the actor', schema: ActorOverview } },
      errors: [404],
      handle: async ({ params }) => existing(params.id),
    }),
    route({
      method: 'post',
      path: '/actors',
      tag: 'actors',
      summary: 'Spawn an actor of a kind (actor.Spawn)',
      description: `${WRITE_DESCRIPTION} An unknown kind is 422 with the known kinds; an id that is already running is refused by the supervisor (409 actor_exists).`,
      query: WaitOnly,
      body: SpawnRequest,
      responses: WRITE_RESPONSES,
      errors: [409],
      handle: async ({ body, query }, req, res) => {
        // valibot's record takes an array too (and makes it {}); the actor's config is an object.
        if (Array.isArray((req.body as { config?: unknown }).config)) throw invalid('invalid body: body.config: must be a JSON object, e.g. {"interval_ms": 1000}', [{ path: 'body.config', message: 'must be a JSON object' }]);
        if (!Object.hasOwn(ACTOR_KINDS, body.kind)) {
          throw new HttpError(422, 'unknown_kind', `there is no actor kind "${body.kind}"; the kinds are ${KINDS().join(', ')}`, [
            { path: 'body.kind', message: `must be one of ${KINDS().join(', ')}` },
          ]);
        }
        // The protocol's own schema once more, on the payload exactly as the supervisor will read it.
        const parsed = v.safeParse(ActorSpawn.payload, { actor_id: body.id ?? body.kind, kind: body.kind, config: body.config ?? {} });
        if (!parsed.success) {
          const details = issuesToDetails(parsed.issues).map((d) => ({ path: `body.${d.path === 'actor_id' ? 'id' : d.path}`, message: d.message }));
          throw invalid(`invalid body: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
        }
        return issue(makeEvent(ActorSpawn, parsed.output, PRODUCER, meta(res)), query.wait, res);
      },
    }),
    route({
      method: 'post',
      path: '/actors/:id/kill',
      tag: 'actors',
      summary: 'Stop an actor (actor.Kill); it stays listed as stopped until a restart or a new spawn',
      description: `${WRITE_DESCRIPTION} 404 for an unknown id, 409 actor_stopped when it is already stopped. A gateway target answers 202 at once.`,
      params: IdParams,
      query: WaitOnly,
      responses: WRITE_RESPONSES,
      errors: [404, 409],
      handle: async ({ params, query }, _req, res) => {
        const actor = await existing(params.id);
        if (actor.desired === 'stopped' && actor.state === 'stopped') {
          throw conflict('actor_stopped', `actor ${params.id} is already stopped; restart it with POST /actors/${params.id}/restart`, { actor_id: params.id, state: actor.state });
        }
        return issue(makeEvent(ActorKill, { actor_id: params.id }, PRODUCER, meta(res)), waitFor(actor.kind, query.wait), res);
      },
    }),
    route({
      method: 'post',
      path: '/actors/:id/restart',
      tag: 'actors',
      summary: 'Restart an actor from its stored offset (actor.Restart); also revives a failed or stopped one',
      description: `${WRITE_DESCRIPTION} 404 for an unknown id. A gateway target answers 202 at once.`,
      params: IdParams,
      query: WaitOnly,
      responses: WRITE_RESPONSES,
      errors: [404, 409],
      handle: async ({ params, query }, _req, res) => {
        const actor = await existing(params.id);
        return issue(makeEvent(ActorRestart, { actor_id: params.id }, PRODUCER, meta(res)), waitFor(actor.kind, query.wait), res);
      },
    }),
  ];
}
