// The candle CSV parser: every format, every way a time is written, and every refusal with the line number
// an editor shows and a reason that says what to do.
import { describe, expect, it } from 'vitest';
import { WeaverError } from '../../protocol/errors.ts';
import type { Timeframe } from '../../protocol/timeframes.ts';
import { parseCandleCsv, type ParsedCandles } from '../../runtime/data/csv.ts';
import type { CsvFormat } from '../../runtime/data/formats.ts';
import { formatTimestamp, parseTimestamp } from '../../runtime/data/timestamps.ts';

const parse = (text: string, timeframe: Timeframe = '1d', format: CsvFormat = 'auto'): ParsedCandles => parseCandleCsv(text, { timeframe, format });
const utc = (iso: string) => Date.parse(iso);

/** The invalid_file error a parse throws: its line, reason and message. */
function refusal(text: string, timeframe: Timeframe = '1d', format: CsvFormat = 'auto'): { line: number; reason: string; message: string } {
  try {
    parse(text, timeframe, format);
  } catch (error) {
    expect(error).toBeInstanceOf(WeaverError);
    const e = error as WeaverError;
    expect(e.code).toBe('invalid_file');
    const details = e.details as { line: number; reason: string };
    expect(Object.keys(details).sort()).toEqual(['line', 'reason']);
    expect(e.message).toBe(`line ${details.line}: ${details.reason}`);
    return { ...details, message: e.message };
  }
  throw new Error('the file was accepted');
}

const BACKTRADER = `Date,Open,High,Low,Close,Volume,OpenInterest
2006-01-02,3578.73,3605.95,3578.73,3604.33,0,0
2006-01-03,3604.08,3638.42,3601.84,3614.34,0,0
2006-01-04,3615.23,3652.46,3615.23,3652.46,0,0
`;

describe('formats', () => {
  it('reads backtrader files: a date is the bar starting 00:00 UTC, OpenInterest is ignored', () => {
    const r = parse(BACKTRADER);
    expect(r.format).toBe('backtrader');
    expect(r.rows).toBe(3);
    expect(r.columns.t).toEqual([utc('2006-01-02T00:00:00Z'), utc('2006-01-03T00:00:00Z'), utc('2006-01-04T00:00:00Z')]);
    expect(r.columns.o[0]).toBe(3578.73);
    expect(r.columns.h[1]).toBe(3638.42);
    expect(r.columns.l[2]).toBe(3615.23);
    expect(r.columns.c[2]).toBe(3652.46);
    expect(r.columns.v).toEqual([0, 0, 0]);
    expect(r.warnings).toEqual([]);
    expect(parse(BACKTRADER, '1d', 'backtrader').rows).toBe(3);
  });

  it('reads Yahoo files: Close is the close, Adj Close is ignored', () => {
    const yahoo = 'Date,Open,High,Low,Close,Adj Close,Volume\n2014-01-02,37.779999,38.029999,37.549999,37.84,35.1,18162100\n';
    for (const format of ['auto', 'yahoo'] as const) {
      const r = parse(yahoo, '1d', format);
      expect(r.format).toBe('yahoo');
      expect(r.columns.c).toEqual([37.84]);
      expect(r.columns.v).toEqual([18162100]);
    }
  });

  it('reads generic files by header name in any order and case; volume is optional; extra columns are ignored', () => {
    const r = parse('close,LOW,Symbol,high,OPEN,timestamp\n11,9,X,12,10,1136246400\n', '1d', 'generic');
    expect(r.format).toBe('generic');
    expect(r.columns).toEqual({ t: [utc('2006-01-03T00:00:00Z')], o: [10], h: [12], l: [9], c: [11], v: [0] });
  });

  it('reads semicolon and tab separated files, quoted fields, a byte-order mark and CRLF line ends', () => {
    const text = '\uFEFF"Datetime";"Open";"High";"Low";"Close";"Volume"\r\n"2024-03-01 14:30";"1.5";"2";"1";"1.75";"100"\r\n';
    expect(parse(text, '1m').columns).toEqual({ t: [utc('2024-03-01T14:30:00Z')], o: [1.5], h: [2], l: [1], c: [1.75], v: [100] });
    expect(parse('time\topen\thigh\tlow\tclose\n2024-03-01T14:30:00Z\t1\t1\t1\t1\n', '1m').columns.t).toEqual([utc('2024-03-01T14:30:00Z')]);
  });

  it('joins a Date column and a Time column into one timestamp', () => {
    const r = parse('Date,Time,Open,High,Low,Close,Volume\n2024-03-01,09:30:00,1,2,1,2,5\n2024-03-01,09:35:00,2,3,2,3,6\n', '5m');
    expect(r.columns.t).toEqual([utc('2024-03-01T09:30:00Z'), utc('2024-03-01T09:35:00Z')]);
  });

  it('refuses a header that is not the named format, on line 1, and suggests --format auto', () => {
    const r = refusal(BACKTRADER, '1d', 'yahoo');
    expect(r.line).toBe(1);
    expect(r.reason).toBe(
      "the header is not yahoo's: expected Date,Open,High,Low,Close,Adj Close,Volume, found Date,Open,High,Low,Close,Volume,OpenInterest; try --format auto",
    );
    expect(refusal('Date,Open,High,Low,Close\n2006-01-02,1,1,1,1\n', '1d', 'backtrader').line).toBe(1);
  });

  it('refuses a header without a time column or a price column, naming what is missing', () => {
    expect(refusal('Open,High,Low,Close\n1,1,1,1\n').reason).toMatch(/^the header lacks a time column \(timestamp, Datetime, Date or time\): found Open,High,Low,Close/);
    expect(refusal('Date,Open,Close\n2006-01-02,1,1\n').reason).toMatch(/^the header lacks high, low: /);
  });
});

describe('times', () => {
  it('reads dates, zoned and unzoned date-times (UTC) and epoch seconds or milliseconds', () => {
    expect(parseTimestamp('2006-01-02')).toBe(utc('2006-01-02T00:00:00Z'));
    expect(parseTimestamp('2006-01-02T10:15')).toBe(utc('2006-01-02T10:15:00Z'));
    expect(parseTimestamp('2006-01-02 10:15:30')).toBe(utc('2006-01-02T10:15:30Z'));
    expect(parseTimestamp('2006-01-02T10:15:30.250Z')).toBe(utc('2006-01-02T10:15:30.250Z'));
    expect(parseTimestamp('2006-01-02T10:15:00+02:00')).toBe(utc('2006-01-02T08:15:00Z'));
    expect(parseTimestamp('2006-01-02T10:15:00-0530')).toBe(utc('2006-01-02T15:45:00Z'));
    expect(parseTimestamp('1136246400')).toBe(utc('2006-01-03T00:00:00Z')); // seconds
    expect(parseTimestamp('1136246400000')).toBe(utc('2006-01-03T00:00:00Z')); // milliseconds
    expect(parseTimestamp('2024-02-29')).toBe(utc('2024-02-29T00:00:00Z'));
    for (const bad of ['2023-02-29', '2006-13-01', '2006-01-32', '2006-01-02T24:00', '02/01/2006', '', 'yesterday', '2006-01-02T10:15+25:00']) {
      expect(parseTimestamp(bad), bad).toBeNaN();
    }
    expect(formatTimestamp(utc('2006-01-03T00:01:00Z'))).toBe('2006-01-03T00:01:00Z');
  });

  it('reads a datetime with a zone as that instant and one without as UTC', () => {
    const r = parse('Datetime,Open,High,Low,Close\n2024-03-01T15:00:00+01:00,1,1,1,1\n2024-03-01T15:00:00,1,1,1,1\n', '1h');
    expect(r.columns.t).toEqual([utc('2024-03-01T14:00:00Z'), utc('2024-03-01T15:00:00Z')]);
  });
});

describe('refusals name the line and the reason', () => {
  const header = 'Date,Open,High,Low,Close,Volume\n';
  const good = '2006-01-02,10,12,9,11,100\n';

  it.each([
    ['an unreadable number', '2006-01-03,10,12,9,null,100', "cannot read the close 'null' as a number"],
    ['a number with a comma', '2006-01-03,10,12,9,"11,5",100', 'expected 6 fields like the header, found 7 (a number with a decimal comma? use a point)'],
    ['an unreadable date', '03/01/2006,10,12,9,11,100', "cannot read the time '03/01/2006': expected YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM] (no zone = UTC), or epoch seconds/milliseconds"],
    ['high below low', '2006-01-03,10,8,9,9,100', 'high 8 is below low 9'],
    ['an open outside the range', '2006-01-03,13,12,9,11,100', "open 13 is outside the bar's range (low 9, high 12)"],
    ['a close outside the range', '2006-01-03,10,12,9,8.5,100', "close 8.5 is outside the bar's range (low 9, high 12)"],
    ['a negative volume', '2006-01-03,10,12,9,11,-5', 'volume -5 is negative'],
    ['too few fields', '2006-01-03,10,12,9', 'expected 6 fields like the header, found 4'],
  ])('%s', (_what, row, reason) => {
    expect(refusal(header + good + row + '\n')).toEqual({ line: 3, reason, message: `line 3: ${reason}` });
  });

  it('counts blank lines, as an editor does', () => {
    expect(refusal(`\n${header}\n${good}\n2006-01-03,10,12,9,x,100\n`).line).toBe(6);
  });

  it('refuses a duplicate timestamp and names the first occurrence, in order or not', () => {
    expect(refusal(`${header}${good}2006-01-03,10,12,9,11,1\n2006-01-02,10,12,9,11,1\n`).reason).toBe('duplicate timestamp 2006-01-02T00:00:00Z, already on line 2');
    const unsorted = `${header}2006-01-05,10,12,9,11,1\n2006-01-03,10,12,9,11,1\n2006-01-04,10,12,9,11,1\n2006-01-03,10,12,9,11,1\n`;
    expect(refusal(unsorted)).toMatchObject({ line: 5, reason: 'duplicate timestamp 2006-01-03T00:00:00Z, already on line 3' });
  });

  it('shows a timeframe mismatch as a bar start off the boundary, with the timeframe the file seems to have', () => {
    const minutes = 'Datetime,Open,High,Low,Close,Volume\n2006-01-03T00:00:00Z,1,1,1,1,1\n2006-01-03T00:01:00Z,1,1,1,1,1\n';
    expect(refusal(minutes, '1h').message).toBe('line 3: 2006-01-03T00:01:00Z is not the start of a 1h bar; is the file 1m data? use --timeframe 1m');
    const hours = 'Datetime,Open,High,Low,Close\n2006-01-03T00:00Z,1,1,1,1\n2006-01-03T01:00Z,1,1,1,1\n';
    expect(refusal(hours, '1d').reason).toBe('2006-01-03T01:00:00Z is not the start of a 1d bar; is the file 1h data? use --timeframe 1h');
    // 5-minute bars read as 15m: the gap from the previous row names 5m, though 00:10 is also a 5m boundary only.
    const fives = 'Datetime,Open,High,Low,Close\n2006-01-03T00:00Z,1,1,1,1\n2006-01-03T00:05Z,1,1,1,1\n';
    expect(refusal(fives, '15m').reason).toBe('2006-01-03T00:05:00Z is not the start of a 15m bar; is the file 5m data? use --timeframe 5m');
    expect(refusal('Datetime,Open,High,Low,Close\n2006-01-03T00:00:30Z,1,1,1,1\n', '1m').reason).toBe(
      '2006-01-03T00:00:30Z is not the start of a 1m bar (1m bars start on the whole minute, UTC)',
    );
  });

  it('refuses an empty file and a file with a header only', () => {
    expect(refusal('')).toMatchObject({ line: 1, reason: expect.stringMatching(/^the file is empty/) });
    expect(refusal('\n  \n')).toMatchObject({ line: 1, reason: expect.stringMatching(/^the file is empty/) });
    expect(refusal(header)).toEqual({ line: 1, reason: 'the file has a header but no rows', message: 'line 1: the file has a header but no rows' });
  });
});

describe('the series', () => {
  it('sorts rows that are out of time order and says so', () => {
    const r = parse('Date,Open,High,Low,Close,Volume\n2006-01-04,3,3,3,3,3\n2006-01-02,1,1,1,1,1\n2006-01-03,2,2,2,2,2\n');
    expect(r.columns.t).toEqual([utc('2006-01-02T00:00:00Z'), utc('2006-01-03T00:00:00Z'), utc('2006-01-04T00:00:00Z')]);
    expect(r.columns.o).toEqual([1, 2, 3]);
    expect(r.columns.v).toEqual([1, 2, 3]);
    expect(r.warnings).toEqual(['rows were not in time order (line 3 is earlier than the row before it); they were sorted by time']);
  });

  it('warns when bars are never closer than a longer timeframe: daily bars imported as 1h', () => {
    expect(parse(BACKTRADER, '1h').warnings).toEqual([
      'no two bars are closer than 1d although --timeframe is 1h: if the file holds 1d bars, import it with --timeframe 1d',
    ]);
  });
});
