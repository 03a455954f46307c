// Runs: list, read, create (a backtest now; a live run once a live venue exists), start and stop. Writes
// only append run.* events for the router (202 + Location: the effect is asynchronous); reads come from
// WallE's tables, and from the log itself for a run WallE has not written yet.
import * as v from 'valibot';
import { makeEvent, ParamValue, RunCreated, RunStartRequested, RunStopRequested, TIMEFRAMES, WeaverError, type Envelope } from '../../../protocol/index.ts';
import { buildRunSpec, fitToData } from '../../../runtime/backtest/spec.ts';
import { createPostgresCandleSource } from '../../../runtime/market-data/postgres.ts';
import { runFromLog } from '../../../runtime/repos/run-log.ts';
import { getRun, listInstances, listRuns } from '../../../runtime/repos/runs.ts';
import type { GatewayDeps } from '../deps.ts';
import { corrIdFor } from '../http/correlation.ts';
import { conflict, notFound } from '../http/errors.ts';
import { Reply, route } from '../http/route.ts';
import { LimitQuery, Symbol, UuidParam } from '../http/schemas.ts';

const PRODUCER = 'gateway';
const nonNegative = v.pipe(v.number(), v.finite(), v.minValue(0));
const When = v.pipe(v.string(), v.maxLength(40));

export const RunRequest = v.strictObject({
  mode: v.optional(v.picklist(['backtest', 'live']), 'backtest'),
  name: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(120)))),
  timeframe: v.picklist(TIMEFRAMES, `must be one of ${TIMEFRAMES.join(', ')}`),
  from: v.optional(v.nullable(When)),
  to: v.optional(v.nullable(When)),
  cash: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0))),
  fill: v.optional(
    v.strictObject({
      model: v.optional(v.picklist(['next_open', 'close'])),
      slippage_bps: v.optional(nonNegative),
      commission: v.optional(v.strictObject({ rate: v.optional(nonNegative), per_share: v.optional(nonNegative), minimum: v.optional(nonNegative) })),
      volume_cap: v.optional(v.nullable(v.pipe(v.number(), v.gtValue(0), v.maxValue(1)))),
    }),
  ),
  instances: v.pipe(
    v.array(
      v.strictObject({
        strategy: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a strategy name (see GET /strategies)')),
        symbols: v.pipe(v.array(Symbol), v.minLength(1, 'needs at least one symbol'), v.maxLength(50)),
        params: v.optional(v.record(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a parameter name')), ParamValue)),
      }),
    ),
    v.minLength(1, 'needs at least one strategy instance'),
    v.maxLength(50),
  ),
  /** Start at once (default) or only create it (POST /runs/:id/start later). */
  start: v.optional(v.boolean(), true),
});

const Run = v.object({
  id: v.string(),
  mode: v.string(),
  status: v.string(),
  name: v.nullable(v.string()),
  timeframe: v.string(),
  from: v.nullable(v.string()),
  to: v.nullable(v.string()),
  instances: v.array(v.object({ instance_id: v.string(), strategy: v.string(), params: v.record(v.string(), ParamValue), symbols: v.array(v.string()), status: v.optional(v.string()) })),
  error: v.unknown(),
  created_at: v.nullable(v.string()),
  started_at: v.nullable(v.string()),
  ended_at: v.nullable(v.string()),
});
const Accepted = v.object({ run_id: v.string(), status: v.string(), event_id: v.string(), location: v.string() });
const IdParams = v.strictObject({ id: UuidParam });

/** The CLI's flag names in buildRunSpec's messages, as the body's fields. */
const FIELD_OF_FLAG: Readonly<Record<string, string>> = {
  '--timeframe': 'timeframe',
  '--symbol': 'instances[].symbols',
  '--from': 'from',
  '--to': 'to',
  '--fill': 'fill.model',
  '--volume-cap': 'fill.volume_cap',
  '--cash': 'cash',
  '--slippage-bps': 'fill.slippage_bps',
  '--commission-rate': 'fill.commission.rate',
  '--commission-per-share': 'fill.commission.per_share',
  '--commission-min': 'fill.commission.minimum',
  '--param': 'instances[].params',
  '--strategy': 'instances[].strategy',
};
function apiWording(error: unknown): unknown {
  if (!(error instanceof WeaverError)) return error;
  // CLI commands quoted as advice (`weaver data import FILE --symbol X`) keep their flags.
  const commands: string[] = [];
  const message = error.message
    .replace(/weaver [^;)]*/g, (command) => `\u0000${commands.push(command) - 1}\u0000`)
    .replace(/--[a-z-]+/g, (flag) => FIELD_OF_FLAG[flag] ?? flag)
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => commands[Number(i)]!);
  return new WeaverError(error.code, message, error.details);
}

export function runRoutes(deps: GatewayDeps) {
  const { db } = deps;
  const append = (events: Envelope[]) => deps.publish(events);
  return [
    route({
      method: 'get',
      path: '/runs',
      tag: 'runs',
      summary: 'The latest runs, newest first',
      query: v.strictObject({ limit: LimitQuery(50, 1000) }),
      responses: { 200: { description: 'runs', schema: v.object({ items: v.array(Run) }) } },
      handle: async ({ query }) => {
        const rows = await listRuns(db, query.limit);
        return { items: rows.map((r) => ({ id: r.id, mode: r.mode, status: r.status, name: r.spec.name, timeframe: r.spec.timeframe, from: r.spec.from, to: r.spec.to, instances: r.spec.instances, error: r.error, created_at: r.created_at, started_at: r.started_at, ended_at: r.ended_at })) };
      },
    }),
    route({
      method: 'post',
      path: '/runs',
      tag: 'runs',
      summary: 'Create a run (a backtest) and, unless start is false, start it',
      description: 'Answers 202 with the run id and a Location to follow (GET /runs/{id}; results at GET /backtests/{id}). Live runs answer 409 live_unavailable until a live venue exists.',
      body: RunRequest,
      responses: { 202: { description: 'created (and start requested)', schema: Accepted } },
      errors: [409],
      handle: async ({ body }, _req, res) => {
        if (body.mode === 'live') {
          throw conflict('live_unavailable', 'live runs need a live venue (Veda, Alpaca), which this version does not have yet; create a backtest (mode "backtest")');
        }
        const [first, ...more] = body.instances;
        const spec = await (async () => {
          const built = buildRunSpec({
            strategy: first!.strategy,
            symbols: first!.symbols,
            params: first!.params ?? {},
            more: more.map((i) => ({ strategy: i.strategy, symbols: i.symbols, params: i.params ?? {} })),
            timeframe: body.timeframe,
            from: body.from ?? null,
            to: body.to ?? null,
            name: body.name ?? null,
            ...(body.cash !== undefined ? { cash: body.cash } : {}),
            ...(body.fill?.model !== undefined ? { fill: body.fill.model } : {}),
            ...(body.fill?.slippage_bps !== undefined ? { slippageBps: body.fill.slippage_bps } : {}),
            ...(body.fill?.commission?.rate !== undefined ? { commissionRate: body.fill.commission.rate } : {}),
            ...(body.fill?.commission?.per_share !== undefined ? { commissionPerShare: body.fill.commission.per_share } : {}),
            ...(body.fill?.commission?.minimum !== undefined ? { commissionMinimum: body.fill.commission.minimum } : {}),
            ...(body.fill?.volume_cap !== undefined ? { volumeCap: body.fill.volume_cap } : {}),
          });
          return fitToData(built, createPostgresCandleSource(db));
        })().catch((error: unknown) => Promise.reject(apiWording(error)));
        const meta = { run_id: spec.run_id, ...(corrIdFor(res) ? { corr_id: corrIdFor(res)! } : {}) };
        const created = makeEvent(RunCreated, { spec }, PRODUCER, meta);
        const events: Envelope[] = [created];
        if (body.start) events.push(makeEvent(RunStartRequested, { run_id: spec.run_id }, PRODUCER, { ...meta, causation_id: created.id }));
        await append(events);
        const location = `/runs/${spec.run_id}`;
        return new Reply(202, { run_id: spec.run_id, status: body.start ? 'starting' : 'created', event_id: created.id, location }, { Location: location });
      },
    }),
    route({
      method: 'get',
      path: '/runs/:id',
      tag: 'runs',
      summary: 'One run with its instances and their statuses',
      params: IdParams,
      responses: { 200: { description: 'the run', schema: Run } },
      errors: [404],
      handle: async ({ params }) => {
        const run = await getRun(db, params.id);
        if (run) {
          const statuses = new Map((await listInstances(db, params.id)).map((i) => [i.id, i.status]));
          return { id: run.id, mode: run.mode, status: run.status, name: run.spec.name, timeframe: run.spec.timeframe, from: run.spec.from, to: run.spec.to, instances: run.spec.instances.map((i) => ({ ...i, status: statuses.get(i.instance_id) ?? 'pending' })), error: run.error, created_at: run.created_at, started_at: run.started_at, ended_at: run.ended_at };
        }
        const logged = await runFromLog(db, params.id);
        if (!logged) throw notFound(`no run ${params.id} (see GET /runs)`, { run_id: params.id });
        const s = logged.spec;
        return { id: s.run_id, mode: s.mode, status: logged.status, name: s.name, timeframe: s.timeframe, from: s.from, to: s.to, instances: s.instances.map((i) => ({ ...i, status: 'pending' })), error: null, created_at: null, started_at: null, ended_at: null };
      },
    }),
    route({
      method: 'post',
      path: '/runs/:id/start',
      tag: 'runs',
      summary: 'Start a created run',
      params: IdParams,
      responses: { 202: { description: 'start requested', schema: Accepted } },
      errors: [404, 409],
      handle: async ({ params }, _req, res) => {
        const logged = await runFromLog(db, params.id);
        if (!logged) throw notFound(`no run ${params.id} (see GET /runs)`, { run_id: params.id });
        if (logged.status !== 'created') throw conflict(['completed', 'failed', 'stopped'].includes(logged.status) ? 'run_finished' : 'run_already_started', `run ${params.id} is ${logged.status}; only a created run can be started`, { run_id: params.id, status: logged.status });
        const event = makeEvent(RunStartRequested, { run_id: params.id }, PRODUCER, { run_id: params.id, ...(corrIdFor(res) ? { corr_id: corrIdFor(res)! } : {}) });
        await append([event]);
        const location = `/runs/${params.id}`;
        return new Reply(202, { run_id: params.id, status: 'starting', event_id: event.id, location }, { Location: location });
      },
    }),
    route({
      method: 'post',
      path: '/runs/:id/stop',
      tag: 'runs',
      summary: 'Stop a running run: its strategies stop where they are and it ends stopped with its results so far',
      params: IdParams,
      responses: { 202: { description: 'stop requested', schema: Accepted } },
      errors: [404, 409],
      handle: async ({ params }, _req, res) => {
        const logged = await runFromLog(db, params.id);
        if (!logged) throw notFound(`no run ${params.id} (see GET /runs)`, { run_id: params.id });
        if (logged.status === 'created') throw conflict('run_not_started', `run ${params.id} was never started; there is nothing to stop`, { run_id: params.id, status: logged.status });
        if (['completed', 'failed', 'stopped'].includes(logged.status)) throw conflict('run_finished', `run ${params.id} is already ${logged.status}; there is nothing to stop`, { run_id: params.id, status: logged.status });
        const event = makeEvent(RunStopRequested, { run_id: params.id, reason: 'requested over the API' }, PRODUCER, { run_id: params.id, ...(corrIdFor(res) ? { corr_id: corrIdFor(res)! } : {}) });
        await append([event]);
        const location = `/runs/${params.id}`;
        return new Reply(202, { run_id: params.id, status: 'stopping', event_id: event.id, location }, { Location: location });
      },
    }),
  ];
}


