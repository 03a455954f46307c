// The gateway's read routes over real HTTP and real Postgres: GET /orders, /fills, /candles,
// /backtests/:run_id, /strategies and /strategies/:name. Rows are arranged with SQL; each route's answers,
// filters and failures (422 per field, 404 naming what exists, injection strings in every parameter) are
// checked, and the tables are intact afterwards. Paging under concurrent writes: pagination.int.spec.ts.
import { createHash } from 'node:crypto';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeParams } from '../../actors/marvin/params.ts';
import { findStrategy, strategyNames } from '../../actors/marvin/strategies/index.ts';
import { makeEvent, newId, RunCreated, type RunSpec } from '../../protocol/index.ts';
import { buildRunSpec } from '../../runtime/backtest/spec.ts';
import { readBacktestResult } from '../../runtime/repos/results.ts';
import { encodeCursor } from '../../runtime/repos/keyset.ts';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';

let h: GatewayHarness;

interface Answer {
  status: number;
  body: any; // JSON as answered; each test checks the shape it expects
}
async function get(path: string): Promise<Answer> {
  const res = await h.get(path);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const detailPaths = (a: Answer) => (a.body.details as { path: string }[]).map((d) => d.path).sort();

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 6);
const iso = (ms: number) => new Date(ms).toISOString();

// Two runs: A (completed: sma_cross on AAA and breakout on BBB) and B (running: sma_cross on AAA).
let specA: RunSpec;
let specB: RunSpec;
let a1: string, a2: string, b1: string;

async function insertRun(spec: RunSpec, status: string): Promise<void> {
  await h.db.query(sql.unsafe`INSERT INTO runs (id, mode, status, spec, started_at, ended_at)
    VALUES (${spec.run_id}::uuid, 'backtest', ${status}, ${sql.jsonb(spec as never)}, ${iso(T0)}::timestamptz, ${status === 'completed' ? iso(T0 + DAY) : null}::timestamptz)`);
  for (const i of spec.instances) {
    await h.db.query(sql.unsafe`INSERT INTO strategy_instances (id, run_id, strategy, params, symbols, status)
      VALUES (${i.instance_id}::uuid, ${spec.run_id}::uuid, ${i.strategy}, ${sql.jsonb(i.params)}, ${sql.array(i.symbols, 'text')}, ${status === 'completed' ? 'completed' : 'running'})`);
  }
}

interface OrderSeed {
  run: RunSpec;
  instance: string;
  seq: number;
  symbol: string;
  status: string;
  decided: number;
  limit?: number;
}
const orderId = (o: OrderSeed) => `${o.instance}:o${o.seq}`;
let orderSeeds: OrderSeed[] = [];

async function arrange(): Promise<void> {
  specA = buildRunSpec({ strategy: 'sma_cross', symbols: ['AAA'], timeframe: '1d', from: '2025-01-06', to: '2025-01-20', more: [{ strategy: 'breakout', symbols: ['BBB'] }] });
  specB = buildRunSpec({ strategy: 'sma_cross', symbols: ['AAA'], timeframe: '1d', from: '2025-01-06', to: '2025-01-20', cash: 5000 });
  a1 = specA.instances[0]!.instance_id;
  a2 = specA.instances[1]!.instance_id;
  b1 = specB.instances[0]!.instance_id;
  await insertRun(specA, 'completed');
  await insertRun(specB, 'running');

  orderSeeds = [
    { run: specA, instance: a1, seq: 1, symbol: 'AAA', status: 'filled', decided: T0 },
    { run: specA, instance: a1, seq: 2, symbol: 'AAA', status: 'filled', decided: T0 + 2 * DAY },
    { run: specA, instance: a1, seq: 3, symbol: 'AAA', status: 'canceled', decided: T0 + 4 * DAY, limit: 101.25 },
    { run: specA, instance: a2, seq: 1, symbol: 'BBB', status: 'filled', decided: T0 + DAY },
    { run: specA, instance: a2, seq: 2, symbol: 'BBB', status: 'rejected', decided: T0 + 3 * DAY },
    { run: specB, instance: b1, seq: 1, symbol: 'AAA', status: 'accepted', decided: T0 + 5 * DAY },
    { run: specB, instance: b1, seq: 2, symbol: 'AAA', status: 'new', decided: T0 + 6 * DAY },
  ];
  // One transaction per order: commit order is the listing order.
  for (const o of orderSeeds) {
    const filled = o.status === 'filled';
    await h.db.query(sql.unsafe`INSERT INTO orders (id, run_id, instance_id, symbol, side, type, qty, limit_price, status, filled_qty, avg_fill_price, reason, decided_at, bar_index)
      VALUES (${orderId(o)}, ${o.run.run_id}::uuid, ${o.instance}::uuid, ${o.symbol}, ${o.seq % 2 ? 'buy' : 'sell'}, ${o.limit ? 'limit' : 'market'}, 1.5,
        ${o.limit ?? null}::numeric, ${o.status}, ${filled ? 1.5 : 0}, ${filled ? 100.125 : null}::numeric, ${o.status === 'rejected' ? 'insufficient cash' : null}::text,
        ${iso(o.decided)}::timestamptz, ${o.seq})`);
    if (filled) {
      await h.db.query(sql.unsafe`INSERT INTO fills (id, order_id, run_id, instance_id, symbol, side, qty, price, fee, ts, bar_index)
        VALUES (${`${orderId(o)}:f1`}, ${orderId(o)}, ${o.run.run_id}::uuid, ${o.instance}::uuid, ${o.symbol}, ${o.seq % 2 ? 'buy' : 'sell'}, 1.5, 100.125, 0.25,
          ${iso(o.decided + DAY)}::timestamptz, ${o.seq + 1})`);
    }
  }
  // Run A's results: a backtests row and a trade for its first instance (the second has none yet).
  await h.db.query(sql.unsafe`INSERT INTO backtests (instance_id, run_id, status, final_equity, cash, stats, equity_curve, positions, fill_count, order_count, trade_count)
    VALUES (${a1}::uuid, ${specA.run_id}::uuid, 'completed', 10012.5, 10012.5, ${sql.jsonb({ total_return: 0.00125, sharpe: null, trades: 1 })},
      ${sql.jsonb({ sampling: 'bar', t: [T0, T0 + DAY], e: [10000, 10012.5] })}, ${sql.jsonb([])}, 2, 3, 1)`);
  await h.db.query(sql.unsafe`INSERT INTO trades (instance_id, seq, run_id, symbol, side, entry_ts, exit_ts, entry_price, exit_price, qty, pnl, fees)
    VALUES (${a1}::uuid, 1, ${specA.run_id}::uuid, 'AAA', 'long', ${iso(T0 + DAY)}::timestamptz, ${iso(T0 + 3 * DAY)}::timestamptz, 100.125, 108.5, 1.5, 12.5625, 0.5)`);
  // Candles: AAA 1d, ten days; BBB 1h, five hours.
  for (let d = 0; d < 10; d++) {
    await h.db.query(sql.unsafe`INSERT INTO candles (symbol, timeframe, ts, open, high, low, close, volume, source)
      VALUES ('AAA', '1d', ${iso(T0 + d * DAY)}::timestamptz, ${100 + d}, ${101.5 + d}, ${99 + d}, ${100.25 + d}, ${1000 + d}, 'test')`);
  }
  for (let k = 0; k < 5; k++) {
    await h.db.query(sql.unsafe`INSERT INTO candles (symbol, timeframe, ts, open, high, low, close, volume, source)
      VALUES ('BBB', '1h', ${iso(T0 + k * HOUR)}::timestamptz, 50, 51, 49, 50.5, 10, 'test')`);
  }
}

beforeAll(async () => {
  h = await startGatewayHarness();
  await arrange();
});
afterAll(async () => {
  await h?.close();
});

/** Every page of a listing, following next_cursor until an empty page. */
async function allPages(path: string, limit: number): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const a = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(a.status).toBe(200);
    pages++;
    expect(a.body.items.length).toBeLessThanOrEqual(limit);
    if (a.body.items.length === 0) {
      expect(a.body.next_cursor).toBeNull();
      return { items, pages };
    }
    expect(typeof a.body.next_cursor).toBe('string');
    items.push(...a.body.items);
    cursor = a.body.next_cursor;
  }
}

describe('GET /orders', () => {
  it('lists orders in commit order with numbers as numbers and ISO timestamps', async () => {
    const a = await get('/orders');
    expect(a.status).toBe(200);
    expect(a.body.items.map((o: { order_id: string }) => o.order_id)).toEqual(orderSeeds.map(orderId));
    expect(typeof a.body.next_cursor).toBe('string');
    const canceled = a.body.items[2];
    expect(canceled).toEqual({
      order_id: `${a1}:o3`,
      run_id: specA.run_id,
      instance_id: a1,
      strategy: 'sma_cross',
      symbol: 'AAA',
      side: 'buy',
      type: 'limit',
      qty: 1.5,
      limit_price: 101.25,
      stop_price: null,
      status: 'canceled',
      filled_qty: 0,
      avg_fill_price: null,
      reason: null,
      decided_at: iso(T0 + 4 * DAY),
      bar_index: 3,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(a.body.items[0]).toMatchObject({ filled_qty: 1.5, avg_fill_price: 100.125 });
    expect(a.body.items[4]).toMatchObject({ status: 'rejected', reason: 'insufficient cash', strategy: 'breakout' });
  });

  it('filters by run, strategy, instance, symbol, status and time, alone and together', async () => {
    const ids = async (q: string) => {
      const a = await get(`/orders?${q}`);
      expect(a.status).toBe(200);
      return a.body.items.map((o: { order_id: string }) => o.order_id);
    };
    const where = (f: (o: OrderSeed) => boolean) => orderSeeds.filter(f).map(orderId);
    expect(await ids(`run_id=${specA.run_id}`)).toEqual(where((o) => o.run === specA));
    expect(await ids('strategy=sma_cross')).toEqual(where((o) => o.instance !== a2));
    expect(await ids('strategy=breakout')).toEqual(where((o) => o.instance === a2));
    expect(await ids(`instance_id=${b1}`)).toEqual(where((o) => o.instance === b1));
    expect(await ids('symbol=BBB')).toEqual(where((o) => o.symbol === 'BBB'));
    expect(await ids('status=filled')).toEqual(where((o) => o.status === 'filled'));
    expect(await ids(`from=${iso(T0 + 2 * DAY)}&to=${iso(T0 + 4 * DAY)}`)).toEqual(where((o) => o.decided >= T0 + 2 * DAY && o.decided <= T0 + 4 * DAY));
    expect(await ids('from=2025-01-11')).toEqual(where((o) => o.decided >= Date.UTC(2025, 0, 11)));
    expect(await ids(`run_id=${specA.run_id}&strategy=sma_cross&symbol=AAA&status=filled&to=2025-01-07`)).toEqual([`${a1}:o1`]);
    // Valid values that match nothing: an empty page, not an error.
    expect(await get(`/orders?run_id=${newId()}`)).toEqual({ status: 200, body: { items: [], next_cursor: null } });
    expect(await ids('symbol=ZZZ&status=expired')).toEqual([]);
  });

  it('pages with the cursor: every order once, in order, then an empty page with next_cursor null', async () => {
    for (const limit of [1, 2, 3, 7, 1000]) {
      const { items, pages } = await allPages('/orders', limit);
      expect(items.map((o) => o.order_id)).toEqual(orderSeeds.map(orderId));
      // The pages with rows, then one empty page.
      expect(pages).toBe(Math.ceil(orderSeeds.length / limit) + 1);
    }
    const filtered = await allPages(`/orders?run_id=${specA.run_id}&status=filled`, 1);
    expect(filtered.items.map((o) => o.order_id)).toEqual([`${a1}:o1`, `${a1}:o2`, `${a2}:o1`]);
  });

  it('keeps an order where it was when its status changes (the cursor does not bring it back)', async () => {
    const first = await get('/orders?limit=6');
    const cursor = first.body.next_cursor as string;
    await h.db.query(sql.unsafe`UPDATE orders SET status = 'filled', filled_qty = 1.5, updated_at = now() WHERE id = ${`${b1}:o1`}`);
    const rest = await get(`/orders?cursor=${cursor}`);
    expect(rest.body.items.map((o: { order_id: string }) => o.order_id)).toEqual([`${b1}:o2`]);
    await h.db.query(sql.unsafe`UPDATE orders SET status = 'accepted', filled_qty = 0 WHERE id = ${`${b1}:o1`}`);
  });
});

describe('GET /fills', () => {
  const filledSeeds = () => orderSeeds.filter((o) => o.status === 'filled');

  it('lists fills in commit order with numbers and ISO timestamps, and filters them', async () => {
    const a = await get('/fills');
    expect(a.status).toBe(200);
    expect(a.body.items.map((f: { fill_id: string }) => f.fill_id)).toEqual(filledSeeds().map((o) => `${orderId(o)}:f1`));
    expect(a.body.items[0]).toEqual({
      fill_id: `${a1}:o1:f1`,
      order_id: `${a1}:o1`,
      run_id: specA.run_id,
      instance_id: a1,
      strategy: 'sma_cross',
      symbol: 'AAA',
      side: 'buy',
      qty: 1.5,
      price: 100.125,
      fee: 0.25,
      ts: iso(T0 + DAY),
      bar_index: 2,
      created_at: expect.stringMatching(/Z$/),
    });
    const ids = async (q: string) => (await get(`/fills?${q}`)).body.items.map((f: { fill_id: string }) => f.fill_id);
    expect(await ids('strategy=breakout')).toEqual([`${a2}:o1:f1`]);
    expect(await ids(`instance_id=${a1}&symbol=AAA`)).toEqual([`${a1}:o1:f1`, `${a1}:o2:f1`]);
    expect(await ids(`from=${iso(T0 + 2 * DAY)}`)).toEqual([`${a1}:o2:f1`, `${a2}:o1:f1`]);
    expect(await ids(`run_id=${specB.run_id}`)).toEqual([]);
  });

  it('pages fills with the cursor', async () => {
    const { items } = await allPages('/fills', 2);
    expect(items.map((f) => f.fill_id)).toEqual(filledSeeds().map((o) => `${orderId(o)}:f1`));
  });

  it('has no status filter', async () => {
    const a = await get('/fills?status=filled');
    expect(a.status).toBe(422);
    expect(detailPaths(a)).toEqual(['query.status']);
  });
});

describe('bad queries of /orders and /fills', () => {
  it('answers 422 with one detail per bad field', async () => {
    const a = await get('/orders?run_id=abc&instance_id=1&status=bogus&from=yesterday&to=2025-02-30T99:00:00Z&limit=0&cursor=!!&symbol=a%20b&strategy=Bad-Name&foo=1');
    expect(a.status).toBe(422);
    expect(a.body).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('query.run_id'), correlation_id: expect.any(String) });
    expect(detailPaths(a)).toEqual(
      ['query.cursor', 'query.foo', 'query.from', 'query.instance_id', 'query.limit', 'query.run_id', 'query.status', 'query.strategy', 'query.symbol', 'query.to'].sort(),
    );
  });

  it('refuses a huge or non-integer limit', async () => {
    for (const limit of ['1001', '99999999999999999999', '1e3', '-1', '2.5', '']) {
      const a = await get(`/orders?limit=${limit}`);
      expect(a.status, limit).toBe(422);
      expect(detailPaths(a)).toEqual(['query.limit']);
    }
    expect((await get('/orders?limit=1000')).status).toBe(200);
  });

  it('refuses every cursor it did not hand out', async () => {
    const real = (await get('/orders?limit=1')).body.next_cursor as string;
    // Cursors built as the gateway builds them (text + 4 bytes of its SHA-256), so only their content is wrong.
    const b64 = (s: string | Buffer) => {
      const text = Buffer.from(s);
      return Buffer.concat([text, createHash('sha256').update(text).digest().subarray(0, 4)]).toString('base64url');
    };
    expect(b64(Buffer.from(real, 'base64url').subarray(0, -4))).toBe(real);
    const bad = [
      'zzz',
      '!!!!',
      `${real}=`,
      `${real}A`,
      real.slice(0, -1),
      b64('orders:1'),
      b64('orders:x:id'),
      b64('orders:-1:id'),
      b64('orders:01:id'),
      b64(`orders:${2n ** 64n}:id`),
      b64('orders:99999999999999999999999999:id'),
      b64('orders:5:'),
      b64('orders:5:a\u0000b'),
      b64('fills:5:id'),
      encodeCursor('fills', { tx: 5n, id: 'x' }),
      b64(Buffer.from([0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0x3a, 0x35, 0x3a, 0xff, 0xfe])),
      b64(`orders:5:${'x'.repeat(513)}`),
      Buffer.from('orders:5:id').toString('base64url'),
      Buffer.from(real, 'base64url').subarray(0, -1).toString('base64url'),
      'A'.repeat(5000),
      '%00',
    ];
    for (const cursor of bad) {
      const a = await get(`/orders?cursor=${encodeURIComponent(cursor)}`);
      expect(a.status, cursor).toBe(422);
      expect(a.body.details, cursor).toEqual([{ path: 'query.cursor', message: 'must be a next_cursor from an earlier GET /orders answer' }]);
    }
    // An orders cursor is no fills cursor.
    const f = await get(`/fills?cursor=${real}`);
    expect(f.status).toBe(422);
    expect(detailPaths(f)).toEqual(['query.cursor']);
    // A well-formed cursor past the end is simply the end.
    expect(await get(`/orders?cursor=${encodeCursor('orders', { tx: 2n ** 64n - 1n, id: 'zzz' })}`)).toEqual({ status: 200, body: { items: [], next_cursor: null } });
  });

  it('refuses dates Postgres cannot hold', async () => {
    const a = await get('/orders?from=0000-01-01&to=0000-12-31T23:00:00Z');
    expect(a.status).toBe(422);
    expect(detailPaths(a)).toEqual(['query.from', 'query.to']);
    expect(detailPaths(await get('/fills?from=0001-01-01T00:30:00%2B01:00'))).toEqual(['query.from']);
    expect(detailPaths(await get('/candles?symbol=AAA&timeframe=1d&to=0000-06-01'))).toEqual(['query.to']);
    expect((await get('/orders?from=0001-01-01&to=9999-12-31T23:59:59Z')).status).toBe(200);
  });

  it('refuses to before from, repeated parameters, and unknown strategies', async () => {
    const range = await get('/orders?from=2025-02-01&to=2025-01-01');
    expect(range.status).toBe(422);
    expect(detailPaths(range)).toEqual(['query.to']);
    const twice = await get('/fills?symbol=AAA&symbol=BBB');
    expect(twice.status).toBe(422);
    expect(detailPaths(twice)).toEqual(['query.symbol']);
    const unknown = await get('/orders?strategy=no_such_strategy');
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'unknown_strategy', message: expect.stringContaining('GET /strategies'), details: [{ path: 'query.strategy', message: 'unknown strategy' }] });
  });

  it('still filters by a strategy that is no longer loaded but some run used', async () => {
    const old = newId();
    await h.db.query(sql.unsafe`INSERT INTO strategy_instances (id, run_id, strategy, params, symbols, status) VALUES (${old}::uuid, ${specB.run_id}::uuid, 'retired_one', '{}', '{AAA}', 'completed')`);
    expect(await get('/orders?strategy=retired_one')).toEqual({ status: 200, body: { items: [], next_cursor: null } });
    await h.db.query(sql.unsafe`DELETE FROM strategy_instances WHERE id = ${old}::uuid`);
  });
});

describe('GET /candles', () => {
  it('answers the bars ascending, compact, within from and to (inclusive)', async () => {
    const a = await get(`/candles?symbol=AAA&timeframe=1d&from=${iso(T0 + DAY)}&to=2025-01-09`);
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      symbol: 'AAA',
      timeframe: '1d',
      bars: [1, 2, 3].map((d) => ({ t: iso(T0 + d * DAY), o: 100 + d, h: 101.5 + d, l: 99 + d, c: 100.25 + d, v: 1000 + d })),
      next_from: null,
    });
  });

  it('pages with limit and next_from; without from, the latest bars', async () => {
    const first = await get('/candles?symbol=AAA&timeframe=1d&from=2025-01-01&limit=4');
    expect(first.body.bars.map((b: { t: string }) => b.t)).toEqual([0, 1, 2, 3].map((d) => iso(T0 + d * DAY)));
    expect(first.body.next_from).toBe(iso(T0 + 4 * DAY));
    const next = await get(`/candles?symbol=AAA&timeframe=1d&from=${first.body.next_from}&limit=6`);
    expect(next.body.bars.map((b: { t: string }) => b.t)).toEqual([4, 5, 6, 7, 8, 9].map((d) => iso(T0 + d * DAY)));
    expect(next.body.next_from).toBeNull();
    const latest = await get('/candles?symbol=AAA&timeframe=1d&limit=3');
    expect(latest.body.bars.map((b: { t: string }) => b.t)).toEqual([7, 8, 9].map((d) => iso(T0 + d * DAY)));
    const upTo = await get(`/candles?symbol=AAA&timeframe=1d&limit=2&to=${iso(T0 + 5 * DAY)}`);
    expect(upTo.body.bars.map((b: { t: string }) => b.t)).toEqual([4, 5].map((d) => iso(T0 + d * DAY)));
    expect((await get('/candles?symbol=AAA&timeframe=1d&limit=10000')).body.bars).toHaveLength(10);
  });

  it('answers the same bars as columns (t in epoch ms) with format=columns, paging alike', async () => {
    for (const q of [`from=${iso(T0 + DAY)}&to=2025-01-09`, 'from=2025-01-01&limit=4', 'limit=3']) {
      const rows = await get(`/candles?symbol=AAA&timeframe=1d&${q}`);
      const cols = await get(`/candles?symbol=AAA&timeframe=1d&${q}&format=columns`);
      expect(cols.status).toBe(200);
      const bars = rows.body.bars as { t: string; o: number; h: number; l: number; c: number; v: number }[];
      expect(bars.length).toBeGreaterThan(0);
      expect(cols.body).toEqual({
        symbol: 'AAA',
        timeframe: '1d',
        t: bars.map((b) => Date.parse(b.t)),
        o: bars.map((b) => b.o),
        h: bars.map((b) => b.h),
        l: bars.map((b) => b.l),
        c: bars.map((b) => b.c),
        v: bars.map((b) => b.v),
        next_from: rows.body.next_from,
      });
    }
    expect((await get('/candles?symbol=AAA&timeframe=1d&from=2025-01-01&limit=4&format=columns')).body.next_from).toBe(iso(T0 + 4 * DAY));
    expect((await get('/candles?symbol=AAA&timeframe=1d&from=2030-01-01&format=columns')).body).toMatchObject({ t: [], next_from: null });
    expect((await get('/candles?symbol=AAA&timeframe=1h&format=columns')).status).toBe(404);
    expect(detailPaths(await get('/candles?symbol=AAA&timeframe=1d&format=csv'))).toEqual(['query.format']);
  });

  it('answers an empty range with 200 and no bars', async () => {
    expect(await get('/candles?symbol=AAA&timeframe=1d&from=2030-01-01')).toEqual({ status: 200, body: { symbol: 'AAA', timeframe: '1d', bars: [], next_from: null } });
  });

  it('404s a series that has no bars at all, saying what is stored', async () => {
    const other = await get('/candles?symbol=AAA&timeframe=1h');
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('not_found');
    expect(other.body.message).toContain('AAA has no 1h bars but has 1d (10 bars, 2025-01-06 … 2025-01-15)');
    expect(other.body.details).toEqual({ symbol: 'AAA', timeframe: '1h', stored: [{ timeframe: '1d', bars: 10, first: iso(T0), last: iso(T0 + 9 * DAY) }] });
    const none = await get('/candles?symbol=NOPE&timeframe=1d');
    expect(none.status).toBe(404);
    expect(none.body.message).toContain('NOPE has no bars at all');
    expect(none.body.message).toContain('weaver data list');
  });

  it('answers 422 per field for bad queries', async () => {
    const a = await get('/candles?timeframe=2m&limit=10001&from=soon');
    expect(a.status).toBe(422);
    expect(detailPaths(a)).toEqual(['query.from', 'query.limit', 'query.symbol', 'query.timeframe']);
    const range = await get('/candles?symbol=AAA&timeframe=1d&from=2025-01-09&to=2025-01-08');
    expect(detailPaths(range)).toEqual(['query.to']);
    expect(detailPaths(await get('/candles?symbol=AAA&timeframe=1d&extra=1'))).toEqual(['query.extra']);
  });
});

describe('GET /backtests/:run_id', () => {
  it('answers readBacktestResult\'s object for a finished run', async () => {
    const a = await get(`/backtests/${specA.run_id}`);
    expect(a.status).toBe(200);
    const direct = await readBacktestResult(h.db, specA.run_id);
    expect(a.body).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(a.body.status).toBe('completed');
    const [i1, i2] = a.body.instances;
    expect(i1).toMatchObject({ instance_id: a1, strategy: 'sma_cross', final_equity: 10012.5, stats: { total_return: 0.00125, sharpe: null, trades: 1 } });
    expect(i1.orders.map((o: { order_id: string }) => o.order_id)).toEqual([`${a1}:o1`, `${a1}:o2`, `${a1}:o3`]);
    expect(i1.fills).toHaveLength(2);
    expect(i1.trades).toEqual([{ seq: 1, symbol: 'AAA', side: 'long', entry_ts: T0 + DAY, exit_ts: T0 + 3 * DAY, entry_price: 100.125, exit_price: 108.5, qty: 1.5, pnl: 12.5625, fees: 0.5 }]);
    expect(i2).toMatchObject({ instance_id: a2, strategy: 'breakout', final_equity: specA.cash, trades: [], equity: { sampling: 'bar', t: [], e: [] } });
  });

  it('answers a run that has not finished with its own status and what is there so far', async () => {
    const a = await get(`/backtests/${specB.run_id}`);
    expect(a.status).toBe(200);
    expect(a.body.status).toBe('running');
    const direct = await readBacktestResult(h.db, specB.run_id);
    expect(a.body).toEqual({ ...JSON.parse(JSON.stringify(direct)), status: 'running' });
    expect(a.body.instances[0].orders.map((o: { order_id: string }) => o.order_id)).toEqual([`${b1}:o1`, `${b1}:o2`]);
    expect(a.body.instances[0].final_equity).toBe(5000);
  });

  it('answers a run only the log knows yet (just created) with its pending instances', async () => {
    const spec = buildRunSpec({ strategy: 'breakout', symbols: ['BBB'], timeframe: '1h', from: '2025-01-06', to: '2025-01-06' });
    await h.log.publish([makeEvent(RunCreated, { spec }, 'test', { run_id: spec.run_id })]);
    const a = await get(`/backtests/${spec.run_id}`);
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      run_id: spec.run_id,
      status: 'created',
      error: null,
      instances: [
        {
          instance_id: spec.instances[0]!.instance_id,
          strategy: 'breakout',
          params: spec.instances[0]!.params,
          symbols: ['BBB'],
          status: 'pending',
          error: null,
          final_equity: spec.cash,
          cash: spec.cash,
          positions: [],
          stats: {},
          equity: { sampling: 'bar', t: [], e: [] },
          orders: [],
          fills: [],
          trades: [],
        },
      ],
    });
  });

  it('404s an unknown run and 422s what is no run id', async () => {
    const id = newId();
    const missing = await get(`/backtests/${id}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'not_found', message: expect.stringContaining(id), details: { run_id: id } });
    const bad = await get('/backtests/not-a-uuid');
    expect(bad.status).toBe(422);
    expect(detailPaths(bad)).toEqual(['params.run_id']);
    expect(detailPaths(await get(`/backtests/${id}?x=1`))).toEqual(['query.x']);
  });
});

describe('GET /strategies', () => {
  it('lists every strategy with its parameters, as `weaver strategies --json`', async () => {
    const a = await get('/strategies');
    expect(a.status).toBe(200);
    expect(a.body).toEqual(strategyNames().map((name) => ({ name, description: findStrategy(name).description, params: describeParams(findStrategy(name)) })));
    const sma = a.body.find((s: { name: string }) => s.name === 'sma_cross');
    expect(sma.params.find((p: { name: string }) => p.name === 'fast')).toEqual({ name: 'fast', type: 'integer', default: 10, min: 1, max: null, description: expect.any(String) });
  });

  it('answers one strategy, 404s an unknown one listing the known names, 422s a malformed name', async () => {
    const one = await get('/strategies/breakout');
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ name: 'breakout', description: findStrategy('breakout').description, params: describeParams(findStrategy('breakout')) });
    const unknown = await get('/strategies/no_such_thing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe(`unknown strategy "no_such_thing"; known strategies: ${strategyNames().join(', ')}`);
    expect(unknown.body.details).toEqual({ strategy: 'no_such_thing', known: strategyNames() });
    const bad = await get('/strategies/Bad-Name');
    expect(bad.status).toBe(422);
    expect(detailPaths(bad)).toEqual(['params.name']);
    expect(detailPaths(await get('/strategies?verbose=1'))).toEqual(['query.verbose']);
  });
});

describe('hostile input in every parameter', () => {
  const EVIL = ['0000-01-01', "'; DROP TABLE orders;--", "' OR '1'='1", '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '%00', 'a%00b', '<script>alert(1)</script>', '$(rm -rf /)', 'x'.repeat(3000)];
  const countAll = async () =>
    h.db.one(sql.unsafe`SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM fills) AS fills, (SELECT count(*) FROM candles) AS candles,
      (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM strategy_instances) AS instances, (SELECT count(*) FROM backtests) AS backtests, (SELECT count(*) FROM outbox) AS events`);

  /** A clean refusal in the error model, or an empty success. */
  function expectClean(a: Answer, what: string): void {
    expect(a.status, what).not.toBe(500);
    if (a.status === 200) {
      const empty = Array.isArray(a.body.items) ? a.body.items.length === 0 : Array.isArray(a.body.bars) ? a.body.bars.length === 0 : false;
      expect(empty, `${what}: 200 with rows`).toBe(true);
      return;
    }
    expect([404, 422], what).toContain(a.status);
    expect(a.body, what).toMatchObject({ code: expect.any(String), message: expect.any(String), correlation_id: expect.any(String) });
    expect(JSON.stringify(a.body), what).not.toMatch(/at .*\.ts:\d+/);
  }

  it('answers each with a clean 4xx or an empty 200 and leaves every table as it was', async () => {
    const before = await countAll();
    const queries: Record<string, { base: Record<string, string>; params: string[] }> = {
      '/orders': { base: {}, params: ['run_id', 'strategy', 'instance_id', 'symbol', 'status', 'from', 'to', 'limit', 'cursor'] },
      '/fills': { base: {}, params: ['run_id', 'strategy', 'instance_id', 'symbol', 'from', 'to', 'limit', 'cursor'] },
      '/candles': { base: { symbol: 'AAA', timeframe: '1d' }, params: ['symbol', 'timeframe', 'from', 'to', 'limit', 'format'] },
      '/strategies': { base: {}, params: [] },
    };
    let asked = 0;
    for (const [path, { base, params }] of Object.entries(queries)) {
      for (const evil of EVIL) {
        for (const name of [...params, evil]) {
          // Encoded as a value (the server sees the text) and as sent raw (%00 reaches it as NUL).
          for (const value of [encodeURIComponent(evil), evil.replace(/[ #&]/g, encodeURIComponent)]) {
            const q = Object.entries({ ...base }).map(([k, val]) => `${k}=${val}`);
            const url = `${path}?${[...q.filter((p) => !p.startsWith(`${name}=`)), `${name === evil ? encodeURIComponent(evil) : name}=${value}`].join('&')}`;
            expectClean(await get(url), url);
            asked++;
          }
        }
      }
    }
    for (const evil of EVIL) {
      for (const seg of [encodeURIComponent(evil), evil.replace(/[ #?]/g, encodeURIComponent)]) {
        for (const prefix of ['/backtests/', '/strategies/']) {
          expectClean(await get(prefix + seg), prefix + seg);
          asked++;
        }
      }
    }
    expect(asked).toBeGreaterThan(400);
    expect(await countAll()).toEqual(before);
    // And the listings still answer as before.
    expect((await get('/orders')).body.items.map((o: { order_id: string }) => o.order_id)).toEqual(orderSeeds.map(orderId));
  });
});

describe('OpenAPI', () => {
  it('documents the read routes and their query parameters', async () => {
    const doc = (await (await h.get('/openapi.json')).json()) as { paths: Record<string, Record<string, { parameters: { name: string }[] }>> };
    for (const p of ['/orders', '/fills', '/candles', '/backtests/{run_id}', '/strategies', '/strategies/{name}']) expect(Object.keys(doc.paths)).toContain(p);
    expect(doc.paths['/orders']!.get!.parameters.map((p) => p.name).sort()).toEqual(['cursor', 'from', 'instance_id', 'limit', 'run_id', 'status', 'strategy', 'symbol', 'to']);
  });
});
