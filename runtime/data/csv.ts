// Candle CSV files → columns, validated row by row with the line number an editor shows. Checks per row:
// as many fields as the header, a readable time that is the start of a bar of the chosen timeframe (how a file of another
// timeframe shows: `line 3: 2006-01-03T00:01:00Z is not the start of a 1h bar; is the file 1m data? use
// --timeframe 1m`), readable prices, high ≥ low with open and close inside, volume ≥ 0. Then over the whole
// series (series.ts): rows out of time order are sorted (not refused: merged or concatenated exports are
// common), and a timestamp seen twice is refused. Bars closer together than the timeframe need no check of
// their own: distinct bar starts on the timeframe's boundaries are at least one bar apart.
// Parsing is split into header and rows so that parse-pool.ts can hand chunks of rows to worker threads.
import type { Timeframe } from '../../protocol/timeframes.ts';
import { TIMEFRAMES, timeframeMs } from '../../protocol/timeframes.ts';
import { invalidFile, type CandleColumns, type FileProblem } from './columns.ts';
import { readHeader, splitFields, type ColumnMap, type CsvFormat, type DetectedFormat } from './formats.ts';
import { finishSeries } from './series.ts';
import { formatTimestamp, parseTimestamp, TIMESTAMP_FORMS } from './timestamps.ts';

export interface ParseOptions {
  readonly timeframe: Timeframe;
  /** Default 'auto': detected from the header. */
  readonly format?: CsvFormat;
}

export interface ParsedCandles {
  readonly columns: CandleColumns<number[]>;
  readonly format: DetectedFormat;
  readonly rows: number;
  /** Things worth telling but not refusing: rows that were sorted, a timeframe that looks too short. */
  readonly warnings: string[];
}

/** Rows of one stretch of a file, in file order, with their line numbers; parsing stops at the first problem. */
export interface ParsedRows extends CandleColumns<number[]> {
  readonly line: number[];
  readonly problem: FileProblem | null;
}

export const EMPTY_FILE = 'the file is empty; expected a header line (e.g. Date,Open,High,Low,Close,Volume) and one row per bar';

/** Parse a whole file's text in this thread. Throws WeaverError('invalid_file') with {line, reason}. */
export function parseCandleCsv(text: string, opts: ParseOptions): ParsedCandles {
  const head = findHeader(text);
  if (!head) throw invalidFile({ line: 1, reason: EMPTY_FILE });
  const header = readHeader(head.header, opts.format ?? 'auto', head.line);
  if (!header.ok) throw invalidFile(header.problem);
  const rows = parseRows(text.slice(head.bodyStart), head.line + 1, header.map, opts.timeframe);
  if (rows.problem) throw invalidFile(rows.problem);
  const series = finishSeries([rows], opts.timeframe, head.line);
  return { ...series, format: header.map.format, rows: series.columns.t.length };
}

/** The first non-blank line (a byte-order mark removed), its line number and where the rows begin. */
function findHeader(text: string): { header: string; line: number; bodyStart: number } | null {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; pos < text.length; line++) {
    const end = nextLineEnd(text, pos);
    const header = text.slice(pos, end).replace(/\r$/, '');
    pos = end + 1;
    if (header.trim() !== '') return { header, line, bodyStart: Math.min(pos, text.length) };
  }
  return null;
}

/** Parse the rows in `text`, whose first line is line `firstLine` of the file. Blank lines are skipped. */
export function parseRows(text: string, firstLine: number, map: ColumnMap, timeframe: Timeframe): ParsedRows {
  const out = { t: [] as number[], o: [] as number[], h: [] as number[], l: [] as number[], c: [] as number[], v: [] as number[], line: [] as number[] };
  const barMs = timeframeMs(timeframe);
  const done = (problem: FileProblem | null): ParsedRows => ({ ...out, problem });
  let pos = 0;
  let lineNo = firstLine - 1;
  while (pos < text.length) {
    const end = nextLineEnd(text, pos);
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(pos, end - 1) : text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (raw.trim() === '') continue;
    const fail = (reason: string) => done({ line: lineNo, reason });

    const f = splitFields(raw, map.delimiter);
    if (f.length !== map.fields) return fail(`expected ${map.fields} fields like the header, found ${f.length}${f.length > map.fields ? ' (a number with a decimal comma? use a point)' : ''}`);
    const timeText = map.clock === -1 ? f[map.time]! : `${f[map.time]}T${f[map.clock]}`;
    const t = parseTimestamp(timeText);
    if (Number.isNaN(t)) return fail(`cannot read the time '${timeText}': expected ${TIMESTAMP_FORMS}`);
    if (t % barMs !== 0) return fail(notABarStart(t, timeframe, out.t.at(-1)));

    const o = parseNumber(f[map.open]!);
    const h = parseNumber(f[map.high]!);
    const l = parseNumber(f[map.low]!);
    const c = parseNumber(f[map.close]!);
    const v = map.volume === -1 ? 0 : parseNumber(f[map.volume]!);
    if (Number.isNaN(o + h + l + c + v)) return fail(unreadableNumber(f, map));
    if (v < 0) return fail(`volume ${v} is negative`);
    if (h < l) return fail(`high ${h} is below low ${l}`);
    if (o < l || o > h) return fail(`open ${o} is outside the bar's range (low ${l}, high ${h})`);
    if (c < l || c > h) return fail(`close ${c} is outside the bar's range (low ${l}, high ${h})`);

    out.t.push(t);
    out.o.push(o);
    out.h.push(h);
    out.l.push(l);
    out.c.push(c);
    out.v.push(v);
    out.line.push(lineNo);
  }
  return done(null);
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A plain decimal number; NaN for anything else (empty, `null`, `1,5`, hex, Infinity). */
function parseNumber(text: string): number {
  return NUMBER.test(text) ? Number(text) : NaN;
}

function unreadableNumber(fields: readonly string[], map: ColumnMap): string {
  const columns = [['open', map.open], ['high', map.high], ['low', map.low], ['close', map.close], ['volume', map.volume]] as const;
  const [name, index] = columns.find(([, i]) => i !== -1 && Number.isNaN(parseNumber(fields[i]!)))!;
  return `cannot read the ${name} '${fields[index]}' as a number`;
}

function nextLineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

const BOUNDARIES: Readonly<Record<Timeframe, string>> = {
  '1m': 'on the whole minute',
  '5m': 'every 5 minutes from the hour',
  '15m': 'every 15 minutes from the hour',
  '1h': 'on the hour',
  '1d': 'at 00:00 UTC',
};

/**
 * The reason for a time that is not a bar start, with a guess at the file's real timeframe: the gap from the
 * previous row when it is a timeframe's length, else the longest timeframe the time is a boundary of.
 */
function notABarStart(t: number, timeframe: Timeframe, previous: number | undefined): string {
  const base = `${formatTimestamp(t)} is not the start of a ${timeframe} bar`;
  const shorter = TIMEFRAMES.filter((tf) => timeframeMs(tf) < timeframeMs(timeframe) && t % timeframeMs(tf) === 0);
  const gap = previous === undefined ? NaN : t - previous;
  const guess = shorter.find((tf) => timeframeMs(tf) === gap) ?? shorter.at(-1);
  if (guess) return `${base}; is the file ${guess} data? use --timeframe ${guess}`;
  return `${base} (${timeframe} bars start ${BOUNDARIES[timeframe]}, UTC)`;
}
