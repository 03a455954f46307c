// The header of a candle file: which format it is and which field holds what. Columns are found by name,
// case-insensitively, whatever their order; a named format only adds a check that the header is exactly
// that format's, so a wrong --format is refused on line 1 instead of importing the wrong columns.
import type { FileProblem } from './columns.ts';

export const CSV_FORMATS = ['auto', 'generic', 'yahoo', 'backtrader'] as const;
export type CsvFormat = (typeof CSV_FORMATS)[number];
export type DetectedFormat = Exclude<CsvFormat, 'auto'>;

/** The exact headers of the two named formats (Yahoo Finance downloads; backtrader's sample data). */
const EXACT: Readonly<Record<'yahoo' | 'backtrader', readonly string[]>> = {
  yahoo: ['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'],
  backtrader: ['Date', 'Open', 'High', 'Low', 'Close', 'Volume', 'OpenInterest'],
};
/** Time column names, most specific first. A `Date` beside a `Time` column is read as the two halves of one timestamp. */
const TIME_NAMES = ['timestamp', 'datetime', 'date', 'time'];

/** Where each field is: indexes into a row's fields; -1 for an absent optional one. */
export interface ColumnMap {
  readonly format: DetectedFormat;
  readonly delimiter: string;
  /** Fields in the header; every row must have as many (more would mean a quoted delimiter, read as two fields). */
  readonly fields: number;
  readonly time: number;
  /** A separate time-of-day column (`Date,Time,…`), joined to the date; -1 when the time column is complete. */
  readonly clock: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export type HeaderResult = { ok: true; map: ColumnMap } | { ok: false; problem: FileProblem };

/** Read the header line (line `lineNo` of the file) for the requested format. */
export function readHeader(line: string, format: CsvFormat, lineNo = 1): HeaderResult {
  const delimiter = detectDelimiter(line);
  const names = splitFields(line, delimiter);
  const lower = names.map((n) => n.toLowerCase());
  const fail = (reason: string): HeaderResult => ({ ok: false, problem: { line: lineNo, reason } });

  let detected: DetectedFormat = 'generic';
  if (format === 'yahoo' || format === 'backtrader') {
    if (!sameNames(lower, EXACT[format])) {
      return fail(`the header is not ${format}'s: expected ${EXACT[format].join(',')}, found ${names.join(',')}; try --format auto`);
    }
    detected = format;
  } else if (format === 'auto') {
    detected = sameNames(lower, EXACT.yahoo) ? 'yahoo' : sameNames(lower, EXACT.backtrader) ? 'backtrader' : 'generic';
  }

  const find = (name: string) => lower.indexOf(name);
  const timeName = TIME_NAMES.find((n) => find(n) !== -1);
  const missing = ['open', 'high', 'low', 'close'].filter((n) => find(n) === -1);
  if (timeName === undefined || missing.length > 0) {
    const absent = [...(timeName === undefined ? ['a time column (timestamp, Datetime, Date or time)'] : []), ...missing];
    return fail(`the header lacks ${absent.join(', ')}: found ${names.join(',') || 'nothing'}; a candle file needs a time column and open, high, low, close (volume is optional)`);
  }
  const time = find(timeName);
  const clock = timeName === 'date' ? find('time') : -1;
  const map = { time, clock, open: find('open'), high: find('high'), low: find('low'), close: find('close'), volume: find('volume') };
  return { ok: true, map: { format: detected, delimiter, fields: names.length, ...map } };
}

/** The fields of one line: trimmed, surrounding double quotes removed. Prices hold no delimiters, so no CSV quoting rules beyond that. */
export function splitFields(line: string, delimiter: string): string[] {
  const fields = line.split(delimiter);
  for (let i = 0; i < fields.length; i++) {
    let f = fields[i]!.trim();
    if (f.length >= 2 && f.charCodeAt(0) === 34 && f.charCodeAt(f.length - 1) === 34) f = f.slice(1, -1).trim();
    fields[i] = f;
  }
  return fields;
}

/** Comma unless the header splits into more fields on a semicolon or a tab. */
function detectDelimiter(header: string): string {
  let best = ',';
  let most = header.split(',').length;
  for (const d of [';', '\t']) {
    const n = header.split(d).length;
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

function sameNames(lower: readonly string[], expected: readonly string[]): boolean {
  return lower.length === expected.length && expected.every((name, i) => lower[i] === name.toLowerCase());
}
