import * as v from 'valibot';

/** Namespaces of DESIGN §4, plus `demo.*` for the demo actors that show the runtime working. */
export const NAMESPACES = ['strategy', 'live', 'backtest', 'data', 'market', 'orders', 'run', 'clock', 'ui', 'actor', 'demo'] as const;

const Uuid = v.pipe(v.string(), v.uuid());
const IsoUtc = v.pipe(v.string(), v.isoTimestamp(), v.check((s) => s.endsWith('Z'), 'ts must be UTC (end in Z)'));

/** The stable envelope (DESIGN §4). Declared once; the type is inferred. */
export const Envelope = v.object({
  id: Uuid,
  kind: v.picklist(['evt', 'cmd']),
  type: v.pipe(v.string(), v.regex(/^[a-z]+\.[A-Za-z][A-Za-z0-9]*(\.v\d+)?$/, 'type must look like namespace.Name')),
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  run_id: v.nullable(Uuid),
  corr_id: v.nullable(Uuid),
  causation_id: v.nullable(Uuid),
  trace_id: v.nullable(Uuid),
  ts: IsoUtc,
  producer: v.pipe(v.string(), v.minLength(1)),
  headers: v.record(v.string(), v.string()),
  payload: v.unknown(),
});
export type Envelope<P = unknown> = Omit<v.InferOutput<typeof Envelope>, 'payload'> & { payload: P };

/** Where an event sits in the log: the pair (tx, position). Never compare position alone. */
export interface Cursor {
  readonly tx: bigint;
  readonly position: bigint;
}

export const ORIGIN: Cursor = { tx: 0n, position: 0n };

export function compareCursors(a: Cursor, b: Cursor): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}

/** `tx.position`, the cursor as it travels outside (SSE ids, CLI, REST tail). */
export function formatCursor(c: Cursor): string {
  return `${c.tx}.${c.position}`;
}

export function parseCursor(text: string): Cursor | null {
  const m = /^(\d{1,20})\.(\d{1,20})$/.exec(text.trim());
  return m ? { tx: BigInt(m[1]!), position: BigInt(m[2]!) } : null;
}

/** An event as read from the log: the envelope and its cursor. */
export interface LoggedEvent<P = unknown> extends Envelope<P> {
  readonly cursor: Cursor;
}
