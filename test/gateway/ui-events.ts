// Helpers of the SSE and tail tests: ui.* events to append, and the outbox's ui.* rows read by cursor
// (the truth a stream or a tail must reproduce, none missed, none twice, in order).
import { sql, type CommonQueryMethods } from 'slonik';
import * as v from 'valibot';
import { compareCursors, makeEvent, newId, parseCursor, UiOrderStatus, UiRunStatus, type Envelope } from '../../protocol/index.ts';
import type { EventsHub } from '../../actors/gateway/events/hub.ts';
import { eventually } from '../helpers/events.ts';

const STATUSES = ['created', 'starting', 'running', 'stopping', 'completed', 'failed', 'stopped'] as const;

/** `count` ui events of one run, alternating ui.RunStatus and ui.OrderStatus; `seq` is in the order id. */
export function uiEvents(runId: string, from: number, count: number): Envelope[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return n % 2 === 0
      ? makeEvent(UiRunStatus, { run_id: runId, mode: 'backtest', status: STATUSES[n % STATUSES.length]! }, 'test', { run_id: runId })
      : makeEvent(UiOrderStatus, { run_id: runId, instance_id: 'i1', order_id: `o-${n}`, symbol: 'DEMO', side: 'buy', status: 'accepted' }, 'test', { run_id: runId });
  });
}

export const newRunId = (): string => newId();

export interface UiRow {
  readonly cursor: string;
  readonly id: string;
  readonly type: string;
  readonly run_id: string | null;
}

const Row = v.object({ tx: v.string(), position: v.bigint(), id: v.string(), type: v.string(), run_id: v.nullable(v.string()) });

/** The outbox's ui.* rows in log order, optionally of one run / some types. */
export async function uiRows(db: CommonQueryMethods, filter: { runId?: string; types?: string[] } = {}): Promise<UiRow[]> {
  const where = [sql.fragment`type LIKE 'ui.%'`];
  if (filter.runId) where.push(sql.fragment`run_id = ${filter.runId}::uuid`);
  if (filter.types) where.push(sql.fragment`type = ANY(${sql.array(filter.types, 'text')})`);
  const rows = await db.any(sql.type(Row)`
    SELECT o.tx::text AS tx, o.position, o.id::text AS id, o.type, o.run_id::text AS run_id
    FROM outbox o WHERE ${sql.join(where, sql.fragment` AND `)}
    ORDER BY o.tx, o.position`);
  return rows.map((r) => ({ cursor: `${r.tx}.${r.position}`, id: r.id, type: r.type, run_id: r.run_id }));
}

/** Wait until the gateway's hub has handed out every ui event in the outbox: "the present" of a fresh stream is then known. */
export async function hubCaughtUp(db: CommonQueryMethods, hub: EventsHub): Promise<void> {
  const last = (await uiRows(db)).at(-1);
  if (!last) return;
  const cursor = parseCursor(last.cursor)!;
  await eventually(() => compareCursors(hub.head, cursor) >= 0, 15_000, 'the hub to reach the last ui event');
}
