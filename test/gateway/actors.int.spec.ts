import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_KINDS } from '../../actors/index.ts';
import { newId } from '../../protocol/index.ts';
import { sql } from '../../runtime/db/pool.ts';
import { startSupervisor, type Supervisor } from '../../runtime/supervisor/index.ts';
import { testConfig } from '../actors/config.ts';
import { eventually } from '../helpers/events.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';
import * as v from 'valibot';

// /actors over real HTTP with a real supervisor on the same database: the gateway appends actor.* commands
// and answers with what the supervisor did; bad input is a clean 4xx and appends nothing.
let pg: TestPostgres;
let h: GatewayHarness;
let sup: Supervisor;

beforeAll(async () => {
  pg = await startTestPostgres();
  h = await startGatewayHarness({ pg });
  sup = await startSupervisor({ config: testConfig(), databaseUrl: pg.url, log: pino({ level: 'fatal' }), tuning: { backoff: { initialBackoffMs: 50 } } });
  await sup.ensureActors([{ id: 'ponger', kind: 'ponger', config: {} }]);
  await eventually(async () => (await actor('ponger'))?.state === 'running', 20_000, 'ponger running');
});
afterAll(async () => {
  await sup?.stop();
  await h?.close();
  await pg?.stop();
});

interface Row {
  id: string;
  kind: string;
  desired: string;
  state: string;
  restarts: number;
  lease_holder: string | null;
  fencing: string | null;
  offset: string | null;
  lag: number | null;
}
interface Outcome {
  command_id: string;
  command_type: string;
  actor_id: string;
  outcome: string;
  answer?: { id: string; type: string; cursor: string; payload: Record<string, unknown> };
  location?: string;
}

async function actor(id: string): Promise<Row | undefined> {
  const res = await h.get(`/actors/${encodeURIComponent(id)}`);
  return res.status === 200 ? ((await res.json()) as Row) : undefined;
}

const Count = v.object({ n: v.number() });
/** actor.* commands in the log. */
const commands = () => h.db.oneFirst(sql.type(Count)`SELECT count(*)::int AS n FROM outbox WHERE kind = 'cmd' AND type LIKE 'actor.%'`);

describe('GET /actors', () => {
  it('lists every actor with its state, lease holder, offset and lag as a number', async () => {
    const row = await eventually(async () => {
      const res = await h.get('/actors');
      expect(res.status).toBe(200);
      const items = ((await res.json()) as { items: Row[] }).items;
      const ponger = items.find((r) => r.id === 'ponger');
      return ponger?.offset ? ponger : undefined;
    }, 20_000, 'ponger with an offset');
    expect(row).toMatchObject({ id: 'ponger', kind: 'ponger', desired: 'running', state: 'running', lease_holder: sup.id, offset: expect.stringMatching(/^\d+\.\d+$/) });
    expect(typeof row.lag).toBe('number');
    expect(Object.keys(row).sort()).toEqual(['desired', 'fencing', 'id', 'kind', 'lag', 'last_error', 'lease_holder', 'offset', 'restarts', 'state']);
  });

  it('answers one actor, and 404 in the error model for an unknown id', async () => {
    expect(await actor('ponger')).toMatchObject({ id: 'ponger', state: 'running' });
    const missing = await h.get('/actors/ponger:nobody');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found', message: expect.stringContaining('ponger:nobody'), correlation_id: expect.any(String) });
  });
});

describe('spawn, restart, kill', () => {
  it('spawn answers 200 started; the command carries the request correlation id; the actor is listed running', async () => {
    const corr = newId();
    const res = await h.post('/actors', { kind: 'ponger', id: 'ponger:two' }, { 'x-correlation-id': corr });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Outcome;
    expect(body).toMatchObject({ command_type: 'actor.Spawn', actor_id: 'ponger:two', outcome: 'started', answer: { type: 'actor.Started', payload: { actor_id: 'ponger:two', supervisor_id: sup.id } } });
    const logged = await h.db.one(sql.type(v.object({ producer: v.string(), corr_id: v.nullable(v.string()), payload: v.unknown() }))`
      SELECT producer, corr_id::text AS corr_id, payload FROM outbox WHERE id = ${body.command_id}`);
    expect(logged).toEqual({ producer: 'gateway', corr_id: corr, payload: { actor_id: 'ponger:two', kind: 'ponger', config: {} } });
    expect(await actor('ponger:two')).toMatchObject({ state: 'running', desired: 'running', lease_holder: sup.id });

    const followed = await h.get(`/actors/commands/${body.command_id}`);
    expect(followed.status).toBe(200);
    expect(await followed.json()).toEqual(body);
  });

  it('the id defaults to the kind; a spawn of a running id is refused by the supervisor: 409 with its code and the outcome', async () => {
    const res = await h.post('/actors', { kind: 'ponger' });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { code: string; message: string; details: Outcome };
    expect(body).toMatchObject({ code: 'actor_exists', message: expect.stringContaining('ponger already exists'), details: { actor_id: 'ponger', outcome: 'rejected', answer: { type: 'actor.CommandRejected' } } });
  });

  it('a config the kind refuses is the supervisor\'s 409 invalid_config', async () => {
    const res = await h.post('/actors', { kind: 'pinger', id: 'pinger:bad', config: { interval_ms: 1 } });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'invalid_config', message: expect.stringContaining('interval_ms must be at least 10'), details: { outcome: 'rejected' } });
    expect(await actor('pinger:bad')).toBeUndefined();
  });

  it('restart answers restarted with a new fencing token; kill answers stopped; killing it again is 409 and appends nothing', async () => {
    const before = (await actor('ponger:two'))!;
    const restarted = await h.post('/actors/ponger:two/restart');
    expect(restarted.status).toBe(200);
    expect(await restarted.json()).toMatchObject({ command_type: 'actor.Restart', actor_id: 'ponger:two', outcome: 'restarted' });
    const after = await eventually(async () => {
      const row = await actor('ponger:two');
      return row?.state === 'running' && row.lease_holder ? row : undefined;
    }, 15_000, 'ponger:two running again');
    expect(BigInt(after.fencing!)).toBeGreaterThan(BigInt(before.fencing!));

    const killed = await h.post('/actors/ponger:two/kill');
    expect(killed.status).toBe(200);
    expect(await killed.json()).toMatchObject({ command_type: 'actor.Kill', outcome: 'stopped', answer: { type: 'actor.Stopped', payload: { reason: 'command' } } });
    await eventually(async () => (await actor('ponger:two'))?.state === 'stopped', 10_000, 'ponger:two stopped');

    const n = await commands();
    const again = await h.post('/actors/ponger:two/kill');
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'actor_stopped', message: expect.stringContaining('restart') });
    expect(await commands()).toBe(n);
  });

  it('restart revives a stopped actor', async () => {
    const res = await h.post('/actors/ponger:two/restart?wait=30s');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'restarted' });
    await eventually(async () => (await actor('ponger:two'))?.state === 'running', 15_000, 'ponger:two running');
  });

  it('wait=0s answers 202 pending with a Location that later gives the outcome', async () => {
    const res = await h.post('/actors/ponger:two/kill?wait=0s');
    expect(res.status).toBe(202);
    const body = (await res.json()) as Outcome;
    expect(body).toMatchObject({ command_type: 'actor.Kill', actor_id: 'ponger:two', outcome: 'pending', location: `/actors/commands/${body.command_id}` });
    expect(res.headers.get('location')).toBe(body.location);
    const final = await eventually(async () => {
      const followed = (await (await h.get(`${body.location}?wait=5s`)).json()) as Outcome;
      return followed.outcome === 'pending' ? undefined : followed;
    }, 30_000, 'the kill answered');
    expect(final).toMatchObject({ command_id: body.command_id, outcome: 'stopped', answer: { type: 'actor.Stopped' } });
  });
});

describe('refused before the log', () => {
  it('an unknown kind is 422 listing the known kinds, also for names of Object.prototype', async () => {
    const n = await commands();
    for (const kind of ['nosuchkind', 'constructor']) {
      const res = await h.post('/actors', { kind });
      expect(res.status, kind).toBe(422);
      const body = (await res.json()) as { code: string; message: string; details: { path: string; message: string }[] };
      expect(body.code).toBe('unknown_kind');
      expect(body.details).toEqual([{ path: 'body.kind', message: expect.stringContaining(Object.keys(ACTOR_KINDS).join(', ')) }]);
      expect(body.message).toContain('ponger');
    }
    expect(await commands()).toBe(n);
  });

  it('an unknown id is 404 for kill and restart', async () => {
    const n = await commands();
    for (const verb of ['kill', 'restart']) {
      const res = await h.post(`/actors/ponger:nobody/${verb}`);
      expect(res.status, verb).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found', message: expect.stringContaining('no actor ponger:nobody'), details: { actor_id: 'ponger:nobody' } });
    }
    expect(await commands()).toBe(n);
  });

  it('bad bodies, ids and queries are a 4xx in the error model and append nothing', async () => {
    const n = await commands();
    const bodies: [unknown, number][] = [
      [{ kind: 'ponger', extra: 1 }, 422],
      [{ kind: 5 }, 422],
      [{}, 422],
      [{ kind: 'ponger', config: [] }, 422],
      [{ kind: 'ponger', config: 'x' }, 422],
      [{ kind: 'ponger', id: 7 }, 422],
      [{ kind: 'ponger', id: "ponger'; DROP TABLE actors; --" }, 422],
      [{ kind: 'ponger', id: 'ponger:../../etc/passwd' }, 422],
      [{ kind: 'ponger', id: 'x'.repeat(200) }, 422],
      [{ kind: "ponger' OR 1=1 --" }, 422],
      [[{ kind: 'ponger' }], 422],
      ['{"kind": "ponger"', 400],
      ['null', 400],
    ];
    for (const [body, status] of bodies) {
      const res = await h.post('/actors', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const error = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(error).sort(), JSON.stringify(body)).toEqual(['code', 'correlation_id', 'details', 'message']);
    }
    const unknownField = (await (await h.post('/actors', { kind: 'ponger', extra: 1 })).json()) as { details: { path: string }[] };
    expect(unknownField.details.map((d) => d.path)).toContain('body.extra');

    const paths = [
      `/actors/${encodeURIComponent("ponger'; DROP TABLE actors; --")}/kill`,
      `/actors/${encodeURIComponent('../../etc/passwd')}/restart`,
      `/actors/${encodeURIComponent('ponger\u0000')}/kill`,
      '/actors/ponger/kill?wait=forever',
      '/actors/ponger/kill?wait=61s',
      '/actors/ponger/kill?wait=-1s',
      '/actors/ponger/kill?nope=1',
    ];
    for (const path of paths) {
      const res = await h.post(path);
      expect(res.status, path).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'invalid_request' });
    }
    const badEncoding = await h.post('/actors/%ZZ/kill');
    expect(badEncoding.status).toBe(400);
    expect(Object.keys((await badEncoding.json()) as object).sort()).toEqual(['code', 'correlation_id', 'details', 'message']);
    const withBody = await h.post('/actors/ponger/kill', { actor_id: 'ponger' });
    expect(withBody.status).toBe(422);
    expect((await h.get(`/actors/${encodeURIComponent("' OR 1=1 --")}`)).status).toBe(422);
    expect((await h.get('/actors/commands/not-a-uuid')).status).toBe(422);
    const unknownCommand = await h.get(`/actors/commands/${newId()}`);
    expect(unknownCommand.status).toBe(404);
    expect(await unknownCommand.json()).toMatchObject({ code: 'not_found' });
    expect(await commands()).toBe(n);
    expect((await actor('ponger'))?.state).toBe('running');
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await h.get('/openapi.json')).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/actors', '/actors/{id}', '/actors/{id}/kill', '/actors/{id}/restart', '/actors/commands/{command_id}']));
    expect(Object.keys(doc.paths['/actors/{id}/kill']!.post!.responses)).toEqual(expect.arrayContaining(['200', '202', '404', '409', '422']));
  });
});
