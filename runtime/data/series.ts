// The checks that need every row of a file at once: blocks of parsed rows (one, or one per worker chunk, in
// file order) become one series in time order; a timestamp seen twice is refused with both line numbers.
import { timeframeMs, TIMEFRAMES, type Timeframe } from '../../protocol/timeframes.ts';
import { invalidFile, type CandleColumns } from './columns.ts';
import { formatTimestamp } from './timestamps.ts';

/** Parsed rows in file order with the line each came from. */
export interface RowBlock extends CandleColumns {
  readonly line: ArrayLike<number>;
}

export interface FinishedSeries {
  readonly columns: CandleColumns<number[]>;
  readonly warnings: string[];
}

/** Merge blocks (in file order), sort by time when needed, refuse duplicates. `headerLine` names a file without rows. */
export function finishSeries(blocks: readonly RowBlock[], timeframe: Timeframe, headerLine: number): FinishedSeries {
  const all = concat(blocks);
  const n = all.t.length;
  if (n === 0) throw invalidFile({ line: headerLine, reason: 'the file has a header but no rows' });
  const warnings: string[] = [];

  let firstOutOfOrder = -1;
  for (let i = 1; i < n; i++) {
    if (all.t[i] === all.t[i - 1]) throw duplicate(all, i, i - 1);
    if (all.t[i]! < all.t[i - 1]!) {
      firstOutOfOrder = i;
      break;
    }
  }
  let sorted = all;
  if (firstOutOfOrder !== -1) {
    sorted = sortByTime(all);
    warnings.push(`rows were not in time order (line ${all.line[firstOutOfOrder]} is earlier than the row before it); they were sorted by time`);
  }

  const hint = timeframeHint(sorted.t, timeframe);
  if (hint) warnings.push(hint);
  const { t, o, h, l, c, v } = sorted;
  return { columns: { t, o, h, l, c, v }, warnings };
}

type Merged = { t: number[]; o: number[]; h: number[]; l: number[]; c: number[]; v: number[]; line: number[] };

function concat(blocks: readonly RowBlock[]): Merged {
  const only = blocks.length === 1 ? blocks[0]! : undefined;
  if (only && Array.isArray(only.t)) return only as Merged; // in-thread parse: already plain arrays
  const out: Merged = { t: [], o: [], h: [], l: [], c: [], v: [], line: [] };
  for (const b of blocks) {
    for (let i = 0; i < b.t.length; i++) {
      out.t.push(b.t[i]!);
      out.o.push(b.o[i]!);
      out.h.push(b.h[i]!);
      out.l.push(b.l[i]!);
      out.c.push(b.c[i]!);
      out.v.push(b.v[i]!);
      out.line.push(b.line[i]!);
    }
  }
  return out;
}

/** Stable sort by time (ties keep file order); then the earliest-reported duplicate is the one on the lowest line. */
function sortByTime(all: Merged): Merged {
  const order = Array.from({ length: all.t.length }, (_, i) => i).sort((a, b) => all.t[a]! - all.t[b]! || a - b);
  let dup: [number, number] | null = null;
  for (let k = 1; k < order.length; k++) {
    const [a, b] = [order[k - 1]!, order[k]!];
    if (all.t[a] === all.t[b] && (dup === null || all.line[b]! < all.line[dup[0]]!)) dup = [b, a];
  }
  if (dup) throw duplicate(all, dup[0], dup[1]);
  const pick = (col: number[]) => order.map((i) => col[i]!);
  return { t: pick(all.t), o: pick(all.o), h: pick(all.h), l: pick(all.l), c: pick(all.c), v: pick(all.v), line: pick(all.line) };
}

function duplicate(all: Merged, later: number, earlier: number) {
  return invalidFile({ line: all.line[later]!, reason: `duplicate timestamp ${formatTimestamp(all.t[later]!)}, already on line ${all.line[earlier]}` });
}

/**
 * Bars are never closer than the timeframe (see csv.ts), but a file of a longer timeframe passes every check:
 * daily bars imported as 1h are all on the hour. When no two bars are closer than exactly one longer
 * timeframe, say so. Gaps (weekends, missing minutes) are normal, so this is a warning, not a refusal.
 */
function timeframeHint(t: readonly number[], timeframe: Timeframe): string | null {
  if (t.length < 3) return null;
  let minGap = Infinity;
  for (let i = 1; i < t.length; i++) minGap = Math.min(minGap, t[i]! - t[i - 1]!);
  const guess = TIMEFRAMES.find((tf) => timeframeMs(tf) === minGap);
  if (!guess || minGap <= timeframeMs(timeframe)) return null;
  return `no two bars are closer than ${guess} although --timeframe is ${timeframe}: if the file holds ${guess} bars, import it with --timeframe ${guess}`;
}
