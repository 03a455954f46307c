// Cursor paging of GET /orders and GET /fills while runs keep writing: rows are written with WallE's own
// writers (inserts, status upserts, fills that update their orders) from several connections at once, some
// in transactions held open until the pagers have moved on. Every row is seen exactly once: the rows that
// existed before paging began, and, paging on from the last cursor after the writes stop, all the others.
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertFill } from '../../actors/walle/writers/fills.ts';
import { insertOrder, markOrderAccepted } from '../../actors/walle/writers/orders.ts';
import { newId, type OrderRequest } from '../../protocol/index.ts';
import { createPool, type DatabasePool } from '../../runtime/db/pool.ts';
import type { DatabaseTransactionConnection } from 'slonik';
import { decodeCursor } from '../../runtime/repos/keyset.ts';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';

let h: GatewayHarness;
let writer: DatabasePool;

const T0 = Date.UTC(2025, 0, 6);
const runs = [newId(), newId()];
const instances = [
  { id: newId(), run: runs[0]!, strategy: 'sma_cross' },
  { id: newId(), run: runs[0]!, strategy: 'breakout' },
  { id: newId(), run: runs[1]!, strategy: 'sma_cross' },
];

/** A small deterministic PRNG (mulberry32): the same interleaving of writes each run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let seq = 0;
/** Committed orders (a writer never waits on another's open transaction), and those without a fill yet. */
const orders: OrderRequest[] = [];
const unfilled: OrderRequest[] = [];
/** The transaction ids of committed batches. */
const committedTxs: bigint[] = [];
function nextOrder(): OrderRequest {
  seq++;
  const inst = instances[seq % instances.length]!;
  const o: OrderRequest = {
    order_id: `${inst.id}:o${seq}`,
    run_id: inst.run,
    instance_id: inst.id,
    symbol: seq % 2 ? 'AAA' : 'BBB',
    side: 'buy',
    qty: 1 + (seq % 5),
    type: 'market',
    limit_price: null,
    stop_price: null,
    decided_at: new Date(T0 + seq * 60_000).toISOString(),
    bar_index: seq,
  };
  return o;
}
async function fill(db: DatabaseTransactionConnection, o: OrderRequest): Promise<void> {
  await insertFill(db, {
    fill: { fill_id: `${o.order_id}:f1`, order_id: o.order_id, run_id: o.run_id, instance_id: o.instance_id, symbol: o.symbol, side: o.side, qty: o.qty, price: 100 + (o.bar_index % 7), fee: 0.5, ts: new Date(Date.parse(o.decided_at) + 60_000).toISOString(), bar_index: o.bar_index + 1 },
    remaining: 0,
    avg_price: 100 + (o.bar_index % 7),
  });
}

/**
 * One writer's transaction: new orders, fills of committed ones, and status upserts of committed rows
 * (deadlocks between writers are retried by slonik). The new orders count once the transaction commits.
 */
async function writeBatch(pool: DatabasePool, random: () => number, holdOpen?: (t: DatabaseTransactionConnection, tx: bigint) => Promise<void>): Promise<void> {
  const fresh = await pool.transaction(async (t) => {
    const made = Array.from({ length: 1 + Math.floor(random() * 4) }, nextOrder);
    for (const o of made) await insertOrder(t, o);
    const fills = Math.floor(random() * 3);
    for (let i = 0; i < fills && unfilled.length > 0; i++) await fill(t, unfilled.splice(Math.floor(random() * unfilled.length), 1)[0]!);
    if (orders.length > 0) {
      // WallE's upsert of an order it already has (orders.Accepted carries the whole order) and a plain update.
      for (let i = 0; i < 2; i++) await markOrderAccepted(t, orders[Math.floor(random() * orders.length)]!);
      await t.query(sql.unsafe`UPDATE orders SET updated_at = now() WHERE id = ${orders[Math.floor(random() * orders.length)]!.order_id}`);
    }
    const tx = BigInt((await t.oneFirst(sql.unsafe`SELECT pg_current_xact_id()::text AS tx`)) as string);
    await holdOpen?.(t, tx);
    return { made, tx };
  });
  orders.push(...fresh.made);
  unfilled.push(...fresh.made);
  committedTxs.push(fresh.tx);
}

/** Requests the pagers have made; writers wait on it (no clocks: progress, not time). */
let requests = 0;
let waiters: { target: number; resolve: () => void }[] = [];
function progressed(): void {
  requests++;
  const ready = waiters.filter((w) => w.target <= requests);
  waiters = waiters.filter((w) => w.target > requests);
  for (const w of ready) w.resolve();
}
const afterRequests = (n: number) => new Promise<void>((resolve) => waiters.push({ target: requests + n, resolve }));
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

interface PagerResult {
  readonly seen: Map<string, number>;
  readonly pages: number;
  readonly emptyPages: number;
}

/**
 * Follows next_cursor from the start with `limit`; on an empty page it keeps its last cursor and asks again,
 * until the writers are done and every row is behind the horizon. Counts how often each id came.
 */
async function pager(path: string, idOf: (item: Record<string, unknown>) => string, writersDone: () => boolean): Promise<PagerResult> {
  const seen = new Map<string, number>();
  let cursor: string | null = null;
  let pages = 0;
  let emptyPages = 0;
  let lastTx = -1n;
  let finalPass = false;
  for (;;) {
    const res = await h.get(`${path}${cursor ? `&cursor=${cursor}` : ''}`);
    const body = (await res.json()) as { items: Record<string, unknown>[]; next_cursor: string | null };
    expect(res.status, JSON.stringify(body)).toBe(200);
    pages++;
    progressed();
    for (const item of body.items) seen.set(idOf(item), (seen.get(idOf(item)) ?? 0) + 1);
    if (body.next_cursor) {
      const key = decodeCursor(path.startsWith('/fills') ? 'fills' : 'orders', body.next_cursor);
      expect(key).not.toBeNull();
      expect(key!.tx >= lastTx).toBe(true); // commit order: tx never goes back
      lastTx = key!.tx;
      cursor = body.next_cursor;
      continue;
    }
    emptyPages++;
    if (finalPass) return { seen, pages, emptyPages };
    if (writersDone() && (await allBehindHorizon())) finalPass = true; // one more read, now that nothing can be held back
    else await tick();
  }
}

async function allBehindHorizon(): Promise<boolean> {
  return writer.oneFirst(sql.unsafe`
    SELECT coalesce((SELECT max(tx) FROM orders) < pg_snapshot_xmin(pg_current_snapshot()), true)
       AND coalesce((SELECT max(tx) FROM fills) < pg_snapshot_xmin(pg_current_snapshot()), true) AS behind`) as Promise<boolean>;
}

const ids = async (table: 'orders' | 'fills', runId?: string) =>
  new Set(
    (await writer.anyFirst(
      runId === undefined ? sql.unsafe`SELECT id FROM ${sql.identifier([table])}` : sql.unsafe`SELECT id FROM ${sql.identifier([table])} WHERE run_id = ${runId}::uuid`,
    )) as string[],
  );

beforeAll(async () => {
  h = await startGatewayHarness();
  writer = await createPool(h.pg.url, { maximumPoolSize: 8 });
  for (const run of runs) await writer.query(sql.unsafe`INSERT INTO runs (id, mode, status, spec) VALUES (${run}::uuid, 'backtest', 'running', '{}')`);
  for (const i of instances) {
    await writer.query(sql.unsafe`INSERT INTO strategy_instances (id, run_id, strategy, params, symbols, status) VALUES (${i.id}::uuid, ${i.run}::uuid, ${i.strategy}, '{}', '{AAA,BBB}', 'running')`);
  }
});
afterAll(async () => {
  await writer?.end();
  await h?.close();
});

describe('cursor paging under concurrent writes', () => {
  it('holds back rows of a transaction still open, then returns them and the rows after them, once each', async () => {
    const start = await pageToEnd('/orders?limit=50');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let lateTx = '';
    let late!: OrderRequest;
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const lateTxn = writer.transaction(async (t) => {
      late = nextOrder();
      orders.push(late);
      await insertOrder(t, late);
      lateTx = (await t.oneFirst(sql.unsafe`SELECT pg_current_xact_id()::text AS tx`)) as string;
      opened();
      await released;
    });
    await isOpen;
    const from = start ? `&cursor=${start}` : '';
    const newer = nextOrder();
    orders.push(newer);
    try {
      await writer.transaction(async (t) => insertOrder(t, newer));
      const newerTx = (await writer.oneFirst(sql.unsafe`SELECT tx::text FROM orders WHERE id = ${newer.order_id}`)) as string;
      // The newer row is committed and sorts after the open one: a reader without the horizon would return it
      // now, move its cursor past the open transaction's tx, and never see that order.
      expect(BigInt(newerTx) > BigInt(lateTx)).toBe(true);
      const held = await h.get(`/orders?limit=50${from}`);
      expect(await held.json()).toEqual({ items: [], next_cursor: null });
    } finally {
      release(); // a failed expectation must not leave the horizon held for the next test
      await lateTxn;
    }
    const after = (await (await h.get(`/orders?limit=50${from}`)).json()) as { items: { order_id: string }[]; next_cursor: string };
    expect(after.items.map((o) => o.order_id)).toEqual([late.order_id, newer.order_id]);
    expect(await (await h.get(`/orders?limit=50&cursor=${after.next_cursor}`)).json()).toEqual({ items: [], next_cursor: null });
  });

  it('sees every order and fill exactly once while writers insert, upsert and commit late', async () => {
    // Rows that exist before paging begins, committed in several transactions.
    for (let b = 0; b < 30; b++) await writeBatch(writer, prng(1000 + b));
    const before = { orders: await ids('orders'), fills: await ids('fills'), run0: await ids('orders', runs[0]) };
    expect(before.orders.size).toBeGreaterThan(60);
    expect(before.fills.size).toBeGreaterThan(20);

    let writersDone = false;
    let lateRoundsOvertaken = 0;
    const fastWriter = async (seed: number) => {
      const random = prng(seed);
      for (let b = 0; b < 25; b++) {
        await writeBatch(writer, random);
        await afterRequests(1);
      }
    };
    const lateWriter = async () => {
      const random = prng(7);
      for (let round = 0; round < 6; round++) {
        await writeBatch(writer, random, async (_t, tx) => {
          // Held open while the pagers make several requests and the fast writers commit newer rows.
          await afterRequests(8);
          if (committedTxs.some((other) => other > tx)) lateRoundsOvertaken++;
        });
        await afterRequests(2);
      }
    };
    const writing = Promise.all([fastWriter(1), fastWriter(2), fastWriter(3), lateWriter()]).finally(() => {
      writersDone = true;
    });
    const done = () => writersDone;
    const [ordersPaged, fillsPaged, run0Paged] = await Promise.all([
      pager('/orders?limit=7', (o) => o.order_id as string, done),
      pager('/fills?limit=5', (f) => f.fill_id as string, done),
      pager(`/orders?limit=3&run_id=${runs[0]}`, (o) => o.order_id as string, done),
      writing,
    ]);

    // The late transactions really were overtaken by newer commits while the pagers read.
    expect(lateRoundsOvertaken).toBeGreaterThan(0);
    const after = { orders: await ids('orders'), fills: await ids('fills'), run0: await ids('orders', runs[0]) };
    expect(after.orders.size).toBeGreaterThan(before.orders.size + 50);

    for (const [paged, was, now] of [
      [ordersPaged, before.orders, after.orders],
      [fillsPaged, before.fills, after.fills],
      [run0Paged, before.run0, after.run0],
    ] as const) {
      const twice = [...paged.seen].filter(([, n]) => n > 1).map(([id]) => id);
      expect(twice).toEqual([]);
      const missedFromBefore = [...was].filter((id) => paged.seen.get(id) !== 1);
      expect(missedFromBefore).toEqual([]);
      // Paging on from the last cursor after the writes stopped reached every row, and nothing else.
      expect(new Set(paged.seen.keys())).toEqual(now);
    }
  });
});

/** Follows next_cursor to an empty page; the last cursor it had. */
async function pageToEnd(path: string): Promise<string | null> {
  let cursor: string | null = null;
  for (;;) {
    const body = (await (await h.get(`${path}${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { next_cursor: string | null };
    if (!body.next_cursor) return cursor;
    cursor = body.next_cursor;
  }
}
