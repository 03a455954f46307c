// Reading the time column of a candle file into a bar start (epoch ms, UTC), and printing one back.
// Accepted: a date (2006-01-02 = the bar starting 00:00 UTC that day); a date and time with `T` or a space,
// with an optional zone (Z, +02:00, -0500) that is honoured, and read as UTC when there is none; a number,
// which is epoch seconds below 1e11 and epoch milliseconds from there on (1e11 s is the year 5138, 1e11 ms
// is March 1973, so only millisecond data older than 1973 would be misread).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EPOCH = /^-?\d+(?:\.\d+)?$/;
const SECONDS_BELOW = 1e11;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const TIMESTAMP_FORMS = 'YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM] (no zone = UTC), or epoch seconds/milliseconds';

/** Epoch ms UTC, or NaN when the text is not one of the accepted forms (or names a day that does not exist). */
export function parseTimestamp(text: string): number {
  const m = DATE_TIME.exec(text);
  if (m) return fromParts(m);
  if (EPOCH.test(text)) {
    const n = Number(text);
    return Math.round(Math.abs(n) < SECONDS_BELOW ? n * 1000 : n);
  }
  return NaN;
}

/** `2006-01-03T00:01:00Z`: ISO-8601 UTC, milliseconds only when there are some. */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function fromParts(m: RegExpExecArray): number {
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return NaN;
  const fraction = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second, fraction) - zoneOffsetMs(m[8]);
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Z → 0; +02:00, +0200, +02 → 2 h (the local time is 2 h ahead of UTC, so UTC = local − 2 h). */
function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return NaN;
  return sign * (hours * 60 + minutes) * 60_000;
}
