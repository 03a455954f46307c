// GET /runs/:id/decisions over real HTTP and Postgres: rows arranged with SQL are served in (ts, id) pages,
// oldest or newest first, with an instance filter, the API's shape (ISO times, details as JSON, the
// strategy name); an unknown run is a 404 and bad query values are 422s naming the field.
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { startGatewayHarness, type GatewayHarness } from './harness.ts';

let h: GatewayHarness;
const RUN = newId();
const I1 = newId();
const I2 = newId();
const T0 = Date.UTC(2025, 0, 6, 14, 30);
const iso = (ms: number) => new Date(ms).toISOString();

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await h.get(path);
  return { status: res.status, body: await res.json() };
}

/** Every page of a query, following next_cursor until it is null. */
async function all(path: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const a = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(a.status).toBe(200);
    pages += 1;
    ids.push(...a.body.items.map((d: { decision_id: string }) => d.decision_id));
    cursor = a.body.next_cursor;
    if (!cursor) return { ids, pages };
  }
}

beforeAll(async () => {
  h = await startGatewayHarness();
  await h.db.query(sql.unsafe`INSERT INTO runs (id, mode, status, spec) VALUES (${RUN}::uuid, 'backtest', 'completed', ${sql.jsonb({ run_id: RUN, instances: [] })})`);
  await h.db.query(sql.unsafe`INSERT INTO strategy_instances (id, run_id, strategy, params, symbols, status)
    VALUES (${I1}::uuid, ${RUN}::uuid, 'sma_cross', '{}'::jsonb, ${sql.array(['AAA'], 'text')}, 'completed')`);
  // 7 decisions of I1, one a minute, two of them at the same ts (ids break the tie; one differs by 1 µs),
  // and 2 of I2 (no strategy_instances row).
  const rows: [string, string, string, number][] = [];
  for (let i = 0; i < 5; i++) rows.push([`d1-${i}`, I1, `${iso(T0 + i * 60_000)}`, i]);
  rows.push(['d1-5b', I1, iso(T0 + 5 * 60_000), 5], ['d1-5a', I1, iso(T0 + 5 * 60_000), 5]);
  rows.push(['d2-0', I2, '2025-01-06T14:30:00.000001Z', 0], ['d2-1', I2, iso(T0 + 10 * 60_000), 1]);
  for (const [id, inst, ts, bar] of rows) {
    await h.db.query(sql.unsafe`INSERT INTO decisions (id, run_id, instance_id, ts, bar_index, action, reason, details)
      VALUES (${id}, ${RUN}::uuid, ${inst}::uuid, ${ts}::timestamptz, ${bar}, ${bar % 2 ? 'buy' : 'hold'}, ${`reason ${id}`}, ${sql.jsonb({ fast: bar + 0.5, note: id })})`);
  }
}, 120_000);
afterAll(async () => h?.close());

const ASC = ['d1-0', 'd2-0', 'd1-1', 'd1-2', 'd1-3', 'd1-4', 'd1-5a', 'd1-5b', 'd2-1'];

describe('GET /runs/:id/decisions', () => {
  it('answers decisions in the API shape, oldest first by default', async () => {
    const a = await get(`/runs/${RUN}/decisions?limit=2`);
    expect(a.status).toBe(200);
    expect(a.body.items).toEqual([
      { decision_id: 'd1-0', run_id: RUN, instance_id: I1, strategy: 'sma_cross', ts: '2025-01-06T14:30:00.000Z', bar_index: 0, action: 'hold', reason: 'reason d1-0', details: { fast: 0.5, note: 'd1-0' } },
      { decision_id: 'd2-0', run_id: RUN, instance_id: I2, strategy: null, ts: '2025-01-06T14:30:00.000Z', bar_index: 0, action: 'hold', reason: 'reason d2-0', details: { fast: 0.5, note: 'd2-0' } },
    ]);
    expect(typeof a.body.next_cursor).toBe('string');
  });

  it('pages through every decision once, in (ts, id) order, both ways', async () => {
    for (const limit of [1, 2, 4, 100]) {
      expect((await all(`/runs/${RUN}/decisions`, limit)).ids).toEqual(ASC);
      expect((await all(`/runs/${RUN}/decisions?order=desc`, limit)).ids).toEqual([...ASC].reverse());
    }
    expect((await all(`/runs/${RUN}/decisions`, 4)).pages).toBe(4); // 4 + 4 + 1, then an empty page
  });

  it('filters by instance', async () => {
    expect((await all(`/runs/${RUN}/decisions?instance_id=${I2}`, 1)).ids).toEqual(['d2-0', 'd2-1']);
  });

  it('an unknown run is a 404', async () => {
    const missing = newId();
    const a = await get(`/runs/${missing}/decisions`);
    expect(a.status).toBe(404);
    expect(a.body.code).toBe('not_found');
    expect(a.body.message).toContain(missing);
  });

  it('bad query values are 422s that name the field', async () => {
    const desc = await get(`/runs/${RUN}/decisions?order=desc&limit=1`);
    const cases: [string, string][] = [
      ['?limit=0', 'query.limit'],
      ['?limit=abc', 'query.limit'],
      ['?order=sideways', 'query.order'],
      ['?cursor=nope', 'query.cursor'],
      [`?cursor=${desc.body.next_cursor}`, 'query.cursor'], // a desc cursor with order=asc
      ['?instance_id=x', 'query.instance_id'],
      ['?symbol=AAA', 'query.symbol'],
    ];
    for (const [q, path] of cases) {
      const a = await get(`/runs/${RUN}/decisions${q}`);
      expect(a.status, q).toBe(422);
      expect(a.body.details.map((d: { path: string }) => d.path), q).toContain(path);
    }
    expect((await get('/runs/not-a-uuid/decisions')).status).toBe(422);
  });
});
