// Cursor pages of a table in commit order (orders, fills: migration 0006). A row's key is (tx, id): tx is
// the id of the transaction that inserted it, and a page reads only behind the transaction horizon, so a
// row committed after a page was read always sorts after that page's cursor. The cursor a client holds is
// opaque: base64url of "kind:tx:id" and 4 bytes of its SHA-256 (a cut or mistyped cursor fails the check),
// checked strictly when it comes back: any other text is no cursor.
import { createHash } from 'node:crypto';
import { sql } from 'slonik';

export interface RowKey {
  readonly tx: bigint;
  readonly id: string;
}

export type CursorKind = 'orders' | 'fills';

/** Row ids are text (order ids are at most 128 characters); a longer one is no id of ours. */
const MAX_ID = 512;
const CHECK_BYTES = 4;
/** base64url of the longest cursor ("orders:" + 20 digits + ":" + MAX_ID characters of up to 4 bytes, + the check). */
export const MAX_CURSOR_LENGTH = Math.ceil(((8 + 20 + 1 + MAX_ID * 4 + CHECK_BYTES) * 4) / 3);
const XID8_LIMIT = 2n ** 64n;
const SHAPE = /^([a-z]+):(0|[1-9][0-9]{0,19}):([^\u0000]+)$/su;

const checkOf = (text: Buffer) => createHash('sha256').update(text).digest().subarray(0, CHECK_BYTES);

export function encodeCursor(kind: CursorKind, key: RowKey): string {
  const text = Buffer.from(`${kind}:${key.tx}:${key.id}`, 'utf8');
  return Buffer.concat([text, checkOf(text)]).toString('base64url');
}

/** The key in a cursor of this kind; null for anything else (bad base64, another kind, out of range). */
export function decodeCursor(kind: CursorKind, cursor: string): RowKey | null {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const bytes = Buffer.from(cursor, 'base64url');
  // Only the canonical spelling: no trailing bits, nothing Buffer skipped.
  if (bytes.toString('base64url') !== cursor || bytes.length <= CHECK_BYTES) return null;
  const body = bytes.subarray(0, bytes.length - CHECK_BYTES);
  if (!checkOf(body).equals(bytes.subarray(bytes.length - CHECK_BYTES))) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return null;
  }
  const m = SHAPE.exec(text);
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
