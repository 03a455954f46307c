import pg from 'pg';
import { items } from './helpers/events.ts';
import { startTestPostgres } from './helpers/postgres.ts';
const db = await startTestPostgres();
const url = await db.newDatabase();
const c = new pg.Client({ connectionString: url }); await c.connect();
async function time(name: string, n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < 10; i++) await fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const ms = (performance.now() - t) / n;
  console.log(name, ms.toFixed(3), 'ms/100 rows =', Math.round(100 / ms * 1000), 'rows/s');
}
const raw = `INSERT INTO outbox (id, kind, type, version, ts, producer, headers, payload)
    SELECT id, 'evt', 'bench.Sent', 1, now(), 'bench', '{}', p FROM unnest($1::uuid[], $2::jsonb[]) AS u(id, p)`;
await time('raw 2 arrays', 300, () => { const ev = items(0, 100); return c.query(raw, [ev.map(e => e.id), ev.map(e => JSON.stringify(e.payload))]); });
const twelve = `INSERT INTO outbox (id, kind, type, version, run_id, corr_id, causation_id, trace_id, ts, producer, headers, payload)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int4[], $5::uuid[], $6::uuid[], $7::uuid[], $8::uuid[], $9::timestamptz[], $10::text[], $11::jsonb[], $12::jsonb[]) ON CONFLICT (id) DO NOTHING`;
await time('12 arrays', 300, () => { const ev = items(0, 100); return c.query(twelve, [ev.map(e => e.id), ev.map(e => e.kind), ev.map(e => e.type), ev.map(e => e.version), ev.map(e => e.run_id), ev.map(e => e.corr_id), ev.map(e => e.causation_id), ev.map(e => e.trace_id), ev.map(e => e.ts), ev.map(e => e.producer), ev.map(e => JSON.stringify(e.headers)), ev.map(e => JSON.stringify(e.payload))]); });
const js = `INSERT INTO outbox (id, kind, type, version, run_id, corr_id, causation_id, trace_id, ts, producer, headers, payload)
  SELECT id, kind, type, version, run_id, corr_id, causation_id, trace_id, ts, producer, headers, payload
  FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, kind text, type text, version int4, run_id uuid, corr_id uuid, causation_id uuid, trace_id uuid, ts timestamptz, producer text, headers jsonb, payload jsonb) ON CONFLICT (id) DO NOTHING`;
await time('jsonb_to_recordset', 300, () => { const ev = items(0, 100); return c.query(js, [JSON.stringify(ev)]); });
const jsn = js.replace('jsonb_to_recordset($1::jsonb)', 'json_to_recordset($1::json)');
await time('json_to_recordset', 300, () => { const ev = items(0, 100); return c.query(jsn, [JSON.stringify(ev)]); });
await time('json_to_recordset no conflict', 300, () => { const ev = items(0, 100); return c.query(jsn.replace(' ON CONFLICT (id) DO NOTHING', ''), [JSON.stringify(ev)]); });
await c.end(); await db.stop();
