// GET /events/tail over real HTTP: paging with `next` neither skips nor repeats, also while transactions
// commit out of order; nothing is handed out past the transaction horizon; filters; and the tail and the
// SSE stream (live and resumed) deliver the very same sequence: same cursors, same ids, same data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';
import { SseClient } from './sse-client.ts';
import { hubCaughtUp, newRunId, uiEvents, uiRows } from './ui-events.ts';

let h: GatewayHarness;

beforeAll(async () => {
  h = await startGatewayHarness();
});
afterAll(async () => {
  await h?.close();
});

interface WireEvent {
  cursor: string;
  id: string;
  type: string;
  ts: string;
  run_id: string | null;
  payload: Record<string, unknown>;
}
interface Tail {
  events: WireEvent[];
  next: string;
}

async function tail(query: string): Promise<Tail> {
  const res = await h.get(`/events/tail?${query}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Tail;
}

/** Every event after `after`, page by page, until a page comes back empty. */
async function tailAll(after: string, limit: number, extra = ''): Promise<{ events: WireEvent[]; pages: number; next: string }> {
  const events: WireEvent[] = [];
  let cursor = after;
  let pages = 0;
  for (;;) {
    const page = await tail(`after=${cursor}&limit=${limit}${extra}`);
    pages++;
    expect(page.events.length).toBeLessThanOrEqual(limit);
    if (page.events.length === 0) {
      expect(page.next).toBe(cursor);
      return { events, pages, next: cursor };
    }
    expect(page.next).toBe(page.events.at(-1)!.cursor);
    events.push(...page.events);
    cursor = page.next;
  }
}

const lastCursor = async (): Promise<string> => (await uiRows(h.db)).at(-1)?.cursor ?? '0.0';

describe('paging', () => {
  it('with no after it starts at the beginning; limit defaults to 100; next is the last cursor', async () => {
    const runId = newRunId();
    await h.log.publish(uiEvents(runId, 0, 150));
    const rows = await uiRows(h.db);
    const first = await tail('');
    expect(first.events.map((e) => e.cursor)).toEqual(rows.slice(0, 100).map((r) => r.cursor));
    expect(first.next).toBe(rows[99]!.cursor);
    const second = await tail(`after=${first.next}&limit=1000`);
    expect(second.events.map((e) => e.cursor)).toEqual(rows.slice(100).map((r) => r.cursor));
  });

  it('past the end: no events, and next stays where it was', async () => {
    const end = await lastCursor();
    expect(await tail(`after=${end}`)).toEqual({ events: [], next: end });
    expect(await tail('after=18446744073709551615.9223372036854775807')).toEqual({ events: [], next: '18446744073709551615.9223372036854775807' });
  });

  it('pages neither skip nor repeat while transactions commit concurrently', async () => {
    const start = await lastCursor();
    const runId = newRunId();
    let appending = true;
    const appender = (async () => {
      for (let t = 0; t < 60; t++) await Promise.all([0, 1, 2].map((k) => h.log.publish(uiEvents(runId, (t * 3 + k) * 7, 7))));
      appending = false;
    })();
    const seen: WireEvent[] = [];
    let cursor = start;
    for (;;) {
      const stillAppending = appending;
      const page = await tail(`after=${cursor}&limit=37`);
      seen.push(...page.events);
      cursor = page.next;
      if (page.events.length === 0) {
        if (!stillAppending) break;
        await new Promise((r) => setImmediate(r));
      }
    }
    await appender;
    // one more pass after the appender is done: the horizon may have held the last ones back
    const rest = await tailAll(cursor, 37);
    seen.push(...rest.events);
    const rows = await uiRows(h.db, { runId });
    expect(rows).toHaveLength(60 * 3 * 7);
    expect(seen.map((e) => e.cursor)).toEqual(rows.map((r) => r.cursor));
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  });

  it('never hands out an event behind an open transaction: the later one waits, then both come in log order', async () => {
    const start = await lastCursor();
    const runId = newRunId();
    let commit!: () => void;
    const gate = new Promise<void>((r) => (commit = r));
    let appended!: () => void;
    const inside = new Promise<void>((r) => (appended = r));
    const open = h.log.transaction(async ({ append }) => {
      await append(uiEvents(runId, 0, 3));
      appended();
      await gate;
    });
    await inside;
    await h.log.publish(uiEvents(runId, 3, 2)); // committed, but after the open transaction in the log
    const blocked = await tail(`after=${start}&run_id=${runId}`);
    expect(blocked).toEqual({ events: [], next: start });
    // an SSE client resuming from the same point meanwhile: after the commit it gets all five, in log order
    const sse = new SseClient(`${h.url}/events/stream?after=${start}&run_id=${runId}`);
    await sse.start();
    commit();
    await open;
    const after = await tailAll(start, 100, `&run_id=${runId}`);
    const rows = await uiRows(h.db, { runId });
    expect(after.events.map((e) => e.cursor)).toEqual(rows.map((r) => r.cursor));
    expect(after.events.map((e) => (e.payload as { order_id?: string; status?: string }).order_id ?? e.payload.status)).toEqual(['created', 'o-1', 'running', 'o-3', 'completed']);
    await sse.waitFor(5);
    await sse.close();
    expect(sse.events.map((e) => e.id)).toEqual(rows.map((r) => r.cursor));
  });
});

describe('filters', () => {
  it('run_id and types select the events; next follows the last one returned', async () => {
    const start = await lastCursor();
    const a = newRunId();
    const b = newRunId();
    for (let i = 0; i < 10; i++) await h.log.publish([...uiEvents(a, i * 4, 4), ...uiEvents(b, i * 4, 4)]);
    const aAll = await tailAll(start, 7, `&run_id=${a}`);
    expect(aAll.events.map((e) => e.cursor)).toEqual((await uiRows(h.db, { runId: a })).map((r) => r.cursor));
    expect(aAll.events.every((e) => e.run_id === a)).toBe(true);
    const aOrders = await tailAll(start, 7, `&run_id=${a}&types=ui.OrderStatus`);
    expect(aOrders.events.map((e) => e.cursor)).toEqual((await uiRows(h.db, { runId: a, types: ['ui.OrderStatus'] })).map((r) => r.cursor));
    expect(aOrders.events).toHaveLength(20);
    const statuses = await tailAll(start, 1000, '&types=ui.RunStatus,ui.Fill');
    expect(statuses.events.map((e) => e.cursor)).toEqual((await uiRows(h.db, { types: ['ui.RunStatus', 'ui.Fill'] })).filter((r) => r.run_id === a || r.run_id === b).map((r) => r.cursor));
    // no match at all
    expect(await tail(`after=${start}&run_id=${newRunId()}`)).toEqual({ events: [], next: start });
  });
});

describe('the tail and the stream', () => {
  it('deliver the same sequence: same cursors, same ids, same data, live and resumed', async () => {
    const start = await lastCursor();
    await hubCaughtUp(h.db, h.gateway.hub); // so that the live client's present is `start`
    const live = new SseClient(`${h.url}/events/stream`);
    await live.start();
    const runId = newRunId();
    // 2,500 events: a resumed stream catches up over several database pages
    for (let k = 0; k < 25; k++) await h.log.publish(uiEvents(runId, k * 100, 100));
    const resumed = new SseClient(`${h.url}/events/stream`, { lastEventId: start });
    await resumed.start();
    const rest = await tailAll(start, 333);
    expect(rest.pages).toBeGreaterThan(7);
    expect(rest.events).toHaveLength(2500);
    await Promise.all([live.waitFor(2500), resumed.waitFor(2500)]);
    await Promise.all([live.close(), resumed.close()]);

    const rows = await uiRows(h.db, { runId });
    expect(rest.events.map((e) => e.cursor)).toEqual(rows.map((r) => r.cursor));
    expect(rest.events.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    for (const sse of [live, resumed]) {
      expect(sse.events.map((e) => e.id)).toEqual(rest.events.map((e) => e.cursor));
      expect(sse.data()).toEqual(rest.events);
    }
  });
});
