// Schemas of query strings and common answers. A query value arrives as text: these check the text and
// turn it into the value (an integer, a timestamp, a cursor) in one step, with the message a user needs.
import * as v from 'valibot';
import { ErrorModel, parseCursor } from '../../../protocol/index.ts';

export const MAX_LIMIT = 1000;

/** Postgres has no year 0: 0000-01-01 would fail in SQL instead of as a 422. */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');

/** `limit`: 1..max, default `fallback`. */
export const LimitQuery = (fallback: number, max = MAX_LIMIT) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,9}$/, `must be an integer from 1 to ${max}`),
      v.transform(Number),
      v.minValue(1, `must be an integer from 1 to ${max}`),
      v.maxValue(max, `must be at most ${max}`),
    ),
    String(fallback),
  );

/** An ISO-8601 timestamp with a zone, or a date (a whole UTC day), as epoch ms. */
export const TimeQuery = v.pipe(
  v.string(),
  v.maxLength(40, 'must be an ISO-8601 timestamp with a zone (2025-01-02T14:30:00Z) or a date (2025-01-02)'),
  v.regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([zZ]|[+-]\d{2}:?\d{2}))?$/, 'must be an ISO-8601 timestamp with a zone (2025-01-02T14:30:00Z) or a date (2025-01-02)'),
  v.transform((s) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s)),
  v.check((ms) => Number.isFinite(ms), 'is not a real date'),
  v.check((ms) => !(ms < EARLIEST), 'must be a date from 0001-01-01 on'),
);

/** A log cursor `tx.position`, as in SSE ids. */
export const CursorQuery = v.pipe(
  v.string(),
  v.maxLength(41, 'must be a log cursor such as 812.4031 (an SSE id or a tail response\'s next)'),
  v.check((s) => inRange(parseCursor(s)), 'must be a log cursor such as 812.4031 (an SSE id or a tail response\'s next)'),
);

/** tx is an xid8 (unsigned 64 bits), position a bigint (signed): larger numbers are no cursor. */
function inRange(c: { tx: bigint; position: bigint } | null): boolean {
  return c !== null && c.tx < 2n ** 64n && c.position < 2n ** 63n;
}

export const UuidParam = v.pipe(v.string(), v.uuid('must be a UUID (see GET /runs)'));
export const UuidQuery = UuidParam;

export const Symbol = v.pipe(v.string(), v.regex(/^[A-Za-z0-9._/-]{1,32}$/, 'must be a symbol such as AAPL or BTC/USD (letters, digits, . _ / -)'));

export const ErrorResponse = ErrorModel;

/** A page of rows and the cursor of the next page (null at the end). */
export const Page = <T extends v.GenericSchema>(item: T) => v.object({ items: v.array(item), next_cursor: v.nullable(v.string()) });
