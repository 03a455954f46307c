// Cursor pages of a table in commit order (orders, fills: migration 0006). A row's key is (tx, id): tx is
// the id of the transaction that inserted it, and a page reads only behind the transaction horizon, so a
// row committed after a page was read always sorts after that page's cursor. The cursor a client holds is
// opaque: "kind:tx:id" sealed by sealed-cursor.ts, checked strictly when it comes back.
import { sql } from 'slonik';
import { openCursor, sealCursor, sealedLength } from './sealed-cursor.ts';

export interface RowKey {
  readonly tx: bigint;
  readonly id: string;
}

export type CursorKind = 'orders' | 'fills';

/** Row ids are text (order ids are at most 128 characters); a longer one is no id of ours. */
const MAX_ID = 512;
/** The longest cursor ("orders:" + 20 digits + ":" + MAX_ID characters of up to 4 bytes). */
export const MAX_CURSOR_LENGTH = sealedLength(8 + 20 + 1 + MAX_ID * 4);
const XID8_LIMIT = 2n ** 64n;
const SHAPE = /^([a-z]+):(0|[1-9][0-9]{0,19}):([^\u0000]+)$/su;

export function encodeCursor(kind: CursorKind, key: RowKey): string {
  return sealCursor(`${kind}:${key.tx}:${key.id}`);
}

/** The key in a cursor of this kind; null for anything else (bad base64, another kind, out of range). */
export function decodeCursor(kind: CursorKind, cursor: string): RowKey | null {
  const text = openCursor(cursor, MAX_CURSOR_LENGTH);
  const m = text === null ? null : SHAPE.exec(text);
  if (!m || m[1] !== kind) return null;
  const tx = BigInt(m[2]!);
  const id = m[3]!;
  if (tx >= XID8_LIMIT || [...id].length > MAX_ID) return null;
  return { tx, id };
}

/** `alias.(tx, id) > key` (nothing without a key) and behind the horizon, for a WHERE clause. */
export function keysetConditions(alias: string, after: RowKey | null) {
  const tx = sql.identifier([alias, 'tx']);
  const id = sql.identifier([alias, 'id']);
  const horizon = sql.fragment`${tx} < pg_snapshot_xmin(pg_current_snapshot())`;
  if (!after) return [horizon];
  return [sql.fragment`(${tx}, ${id}) > (${after.tx.toString()}::xid8, ${after.id}::text)`, horizon];
}

/** ORDER BY of a keyset page (qualified: a bare tx would sort a text alias). */
export const keysetOrder = (alias: string) => sql.fragment`${sql.identifier([alias, 'tx'])}, ${sql.identifier([alias, 'id'])}`;
