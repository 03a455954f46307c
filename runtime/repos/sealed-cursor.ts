// The envelope of every opaque page cursor: base64url of the cursor's text and 4 bytes of its SHA-256, so
// a cut or mistyped cursor fails the check, and only the canonical spelling is accepted back. What the text
// says (which table, which key) is the caller's to write and to parse.
import { createHash } from 'node:crypto';

export const CHECK_BYTES = 4;

const checkOf = (text: Buffer) => createHash('sha256').update(text).digest().subarray(0, CHECK_BYTES);

/** base64url length of a cursor whose text is at most `maxTextBytes` bytes. */
export const sealedLength = (maxTextBytes: number) => Math.ceil(((maxTextBytes + CHECK_BYTES) * 4) / 3);

export function sealCursor(text: string): string {
  const body = Buffer.from(text, 'utf8');
  return Buffer.concat([body, checkOf(body)]).toString('base64url');
}

/** The text sealed in `cursor`; null for anything else (too long, bad base64, failed check, bad UTF-8). */
export function openCursor(cursor: string, maxLength: number): string | null {
  if (cursor.length === 0 || cursor.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const bytes = Buffer.from(cursor, 'base64url');
  // Only the canonical spelling: no trailing bits, nothing Buffer skipped.
  if (bytes.toString('base64url') !== cursor || bytes.length <= CHECK_BYTES) return null;
  const body = bytes.subarray(0, bytes.length - CHECK_BYTES);
  if (!checkOf(body).equals(bytes.subarray(bytes.length - CHECK_BYTES))) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return null;
  }
}
