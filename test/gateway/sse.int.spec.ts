// GET /events/stream over real HTTP: the SSE id is the log cursor; a client that drops and reconnects with
// Last-Event-ID while events keep coming gets every event exactly once, in order; 50 clients all get a
// burst; filters; keep-alive comments; a fresh client starts at the present. The truth each stream is held
// to is the outbox's ui.* rows read by cursor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCursors, parseCursor } from '../../protocol/index.ts';
import { eventually } from '../helpers/events.ts';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';
import { SseClient } from './sse-client.ts';
import { hubCaughtUp as hubCaughtUpWith, newRunId, uiEvents, uiRows } from './ui-events.ts';

let h: GatewayHarness;
const clients: SseClient[] = [];

beforeAll(async () => {
  h = await startGatewayHarness({ keepAliveMs: 100 });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await h?.close();
});

function client(query = '', opts: ConstructorParameters<typeof SseClient>[1] = {}): SseClient {
  const c = new SseClient(`${h.url}/events/stream${query}`, opts);
  clients.push(c);
  return c;
}

const hubCaughtUp = () => hubCaughtUpWith(h.db, h.gateway.hub);

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('the stream', () => {
  it('answers text/event-stream with no caching and no proxy buffering', async () => {
    const res = await fetch(`${h.url}/events/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toContain('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('x-correlation-id')).toEqual(expect.any(String));
    await res.body?.cancel();
  });

  it('each event: id = its log cursor, data = {cursor, id, type, ts, run_id, payload}', async () => {
    await hubCaughtUp();
    const c = client();
    await c.start();
    const runId = newRunId();
    await h.log.publish(uiEvents(runId, 0, 2));
    await c.waitFor(2);
    const rows = await uiRows(h.db, { runId });
    expect(c.events.map((e) => e.id)).toEqual(rows.map((r) => r.cursor));
    expect(c.events.every((e) => e.event === 'message')).toBe(true);
    const data = c.data();
    expect(data[0]).toEqual({ cursor: rows[0]!.cursor, id: rows[0]!.id, type: 'ui.RunStatus', ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), run_id: runId, payload: { run_id: runId, mode: 'backtest', status: 'created' } });
    expect(data[1]).toMatchObject({ cursor: rows[1]!.cursor, type: 'ui.OrderStatus', payload: { order_id: 'o-1', status: 'accepted' } });
    await c.close();
  });
});

describe('reconnecting with Last-Event-ID', () => {
  it('a client that drops again and again while 2,000 events keep coming gets each exactly once, in order', async () => {
    await hubCaughtUp();
    const runId = newRunId();
    const dropAt = new Set([137, 411, 777, 1203, 1599, 1850]);
    const c = client('', { dropAfter: (_e, n) => dropAt.has(n) });
    await c.start();
    const TOTAL = 2000;
    const PER_TX = 10;
    let heldWhileAppending = 0;
    for (let t = 0; t < TOTAL / PER_TX; t += 2) {
      // away for a while, twice, while transactions keep committing: on return it catches up from the database
      if (t === 40 || t === 130) {
        c.hold();
        heldWhileAppending++;
      }
      if (t === 60 || t === 140) await c.resume();
      // two transactions at once: they may commit out of order
      await Promise.all([h.log.publish(uiEvents(runId, t * PER_TX, PER_TX)), h.log.publish(uiEvents(runId, (t + 1) * PER_TX, PER_TX))]);
      await tick();
    }
    await h.log.publish(uiEvents(runId, TOTAL, 1)); // a last one: anything delivered twice would come before it
    await c.waitFor(TOTAL + 1, 60_000);
    await c.close();

    const rows = await uiRows(h.db, { runId });
    expect(rows).toHaveLength(TOTAL + 1);
    expect(c.events.length).toBe(TOTAL + 1);
    expect(c.events.map((e) => e.id)).toEqual(rows.map((r) => r.cursor));
    expect(c.data<{ id: string }>().map((d) => d.id)).toEqual(rows.map((r) => r.id));
    expect(heldWhileAppending).toBe(2);
    expect(c.connections).toBeGreaterThanOrEqual(1 + dropAt.size + 2);
    // the ids only grow
    for (let i = 1; i < c.events.length; i++) expect(compareCursors(parseCursor(c.events[i - 1]!.id)!, parseCursor(c.events[i]!.id)!)).toBe(-1);
  });

  it('a reconnect with Last-Event-ID resumes right after it; the header wins over ?after=', async () => {
    await hubCaughtUp();
    const runId = newRunId();
    await h.log.publish(uiEvents(runId, 0, 30));
    const rows = await uiRows(h.db, { runId });
    await hubCaughtUp();
    const c = client(`?after=${rows[2]!.cursor}`, { lastEventId: rows[19]!.cursor });
    await c.start();
    await c.waitFor(10);
    await h.log.publish(uiEvents(runId, 30, 1));
    await c.waitFor(11);
    await c.close();
    const all = await uiRows(h.db, { runId });
    expect(c.events.map((e) => e.id)).toEqual(all.slice(20).map((r) => r.cursor));
  });

  it('?after= alone resumes too (for clients that cannot set headers)', async () => {
    const runId = newRunId();
    await h.log.publish(uiEvents(runId, 0, 5));
    const rows = await uiRows(h.db, { runId });
    const c = client(`?after=${rows[1]!.cursor}&run_id=${runId}`);
    await c.start();
    await c.waitFor(3);
    await c.close();
    expect(c.events.map((e) => e.id)).toEqual(rows.slice(2).map((r) => r.cursor));
  });
});

describe('many clients', () => {
  it('50 concurrent clients all receive a burst of 1,000 events, each exactly once, in order', async () => {
    await hubCaughtUp();
    const runId = newRunId();
    const many = Array.from({ length: 50 }, () => client());
    await Promise.all(many.map((c) => c.start()));
    expect(h.gateway.hub.subscribers).toBeGreaterThanOrEqual(50);
    // ten transactions of 100 at once
    await Promise.all(Array.from({ length: 10 }, (_, k) => h.log.publish(uiEvents(runId, k * 100, 100))));
    await h.log.publish(uiEvents(runId, 1000, 1));
    await Promise.all(many.map((c) => c.waitFor(1001, 60_000)));
    await Promise.all(many.map((c) => c.close()));
    const expected = (await uiRows(h.db, { runId })).map((r) => r.cursor);
    expect(expected).toHaveLength(1001);
    for (const c of many) {
      expect(c.events.length).toBe(1001);
      expect(c.events.map((e) => e.id)).toEqual(expected);
      expect(c.connections).toBe(1);
    }
    await eventually(() => h.gateway.hub.subscribers === 0, 10_000, 'closed clients to unsubscribe');
  });
});

describe('clean-up', () => {
  it('clients that go away, before or after their headers, leave no subscriber behind', async () => {
    await eventually(() => h.gateway.hub.subscribers === 0, 10_000, 'earlier clients to be gone');
    const early = Array.from({ length: 20 }, () => {
      const ac = new AbortController();
      const done = fetch(`${h.url}/events/stream`, { signal: ac.signal }).then((r) => r.body?.cancel(), () => {});
      ac.abort();
      return done;
    });
    const late = Array.from({ length: 20 }, async () => {
      const ac = new AbortController();
      const res = await fetch(`${h.url}/events/stream?after=0.0`, { signal: ac.signal });
      expect(res.status).toBe(200);
      ac.abort();
    });
    await Promise.all([...early, ...late]);
    await eventually(() => h.gateway.hub.subscribers === 0, 10_000, 'every aborted client to unsubscribe');
  });
});

describe('filters', () => {
  it('run_id and types select the events, live and on resume', async () => {
    await hubCaughtUp();
    const a = newRunId();
    const b = newRunId();
    const start = h.gateway.hub.headText;
    const live = client(`?run_id=${a}&types=ui.OrderStatus`);
    const both = client(`?run_id=${a}&types=ui.RunStatus,ui.OrderStatus`);
    const typeOnly = client(`?types=ui.RunStatus`);
    // a filtered client that also drops now and then
    const dropping = client(`?run_id=${b}`, { dropAfter: (_e, n) => n % 17 === 0 });
    await Promise.all([live.start(), both.start(), typeOnly.start(), dropping.start()]);
    for (let i = 0; i < 20; i++) {
      await h.log.publish([...uiEvents(a, i * 5, 5), ...uiEvents(b, i * 5, 5)]);
      await tick();
    }
    const aOrders = await uiRows(h.db, { runId: a, types: ['ui.OrderStatus'] });
    const aAll = await uiRows(h.db, { runId: a });
    const bAll = await uiRows(h.db, { runId: b });
    const statuses = (await uiRows(h.db, { types: ['ui.RunStatus'] })).filter((r) => r.run_id === a || r.run_id === b);
    expect(aOrders).toHaveLength(50);
    await Promise.all([live.waitFor(aOrders.length), both.waitFor(aAll.length), dropping.waitFor(bAll.length), typeOnly.waitFor(statuses.length)]);
    // a late client with the same filter, from before the first of them, catches up from the database
    const late = client(`?after=${start}&run_id=${a}&types=ui.OrderStatus`);
    await late.start();
    await late.waitFor(aOrders.length);
    // and an unfiltered sentinel so that anything extra would have arrived
    await h.log.publish([...uiEvents(a, 1000, 2), ...uiEvents(b, 1000, 2)]);
    const sentinel = await uiRows(h.db, { runId: a });
    await Promise.all([live.waitFor(aOrders.length + 1), late.waitFor(aOrders.length + 1), both.waitFor(sentinel.length)]);
    await Promise.all([live, both, typeOnly, dropping, late].map((c) => c.close()));

    const aOrdersNow = (await uiRows(h.db, { runId: a, types: ['ui.OrderStatus'] })).map((r) => r.cursor);
    expect(aOrdersNow).toHaveLength(51);
    expect(live.events.map((e) => e.id)).toEqual(aOrdersNow);
    expect(late.events.map((e) => e.id)).toEqual(aOrdersNow);
    expect(both.events.map((e) => e.id)).toEqual(sentinel.map((r) => r.cursor));
    expect(dropping.events.slice(0, bAll.length).map((e) => e.id)).toEqual(bAll.map((r) => r.cursor));
    expect(dropping.connections).toBeGreaterThan(3);
    expect(typeOnly.events.slice(0, statuses.length).map((e) => e.id)).toEqual(statuses.map((r) => r.cursor));
    expect(new Set(typeOnly.data<{ type: string }>().map((d) => d.type))).toEqual(new Set(['ui.RunStatus']));
  });

  it('an unknown type or a run_id that is not a UUID: 422', async () => {
    for (const query of ['types=ui.Nope', 'types=run.Created', 'types=ui.RunStatus,,ui.Bogus', 'run_id=abc', `run_id=${encodeURIComponent("' OR 1=1 --")}`, 'bogus=1']) {
      const res = await fetch(`${h.url}/events/stream?${query}`);
      expect(res.status, query).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'invalid_request', correlation_id: expect.any(String) });
    }
  });
});

describe('keep-alive and the present', () => {
  it('sends keep-alive comments while there is nothing to send', async () => {
    const c = client(`?run_id=${newRunId()}`);
    await c.start();
    await eventually(() => c.comments.length >= 3, 10_000, 'three keep-alive comments');
    await c.close();
    expect(c.events).toEqual([]);
  });

  it('a fresh client with no Last-Event-ID starts at the present: only newer events', async () => {
    const runId = newRunId();
    await h.log.publish(uiEvents(runId, 0, 50));
    await hubCaughtUp();
    const c = client();
    await c.start();
    await h.log.publish(uiEvents(runId, 50, 20));
    await c.waitFor(20);
    await h.log.publish(uiEvents(runId, 70, 1));
    await c.waitFor(21);
    await c.close();
    const rows = await uiRows(h.db, { runId });
    expect(rows).toHaveLength(71);
    expect(c.events.map((e) => e.id)).toEqual(rows.slice(50).map((r) => r.cursor));
  });
});
