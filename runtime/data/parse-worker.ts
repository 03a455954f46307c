// The piscina task that parses one chunk of a big candle file: whole lines, starting at a known line number.
// Its input and output are the whole protocol across the thread boundary; a bad row comes back as data
// ({line, reason}), never as a thrown error, so the main thread can report the earliest one in the file.
import type { Timeframe } from '../../protocol/timeframes.ts';
import type { FileProblem } from './columns.ts';
import { parseRows } from './csv.ts';
import type { ColumnMap } from './formats.ts';

export interface ChunkTask {
  /** UTF-8 bytes of whole lines (split at '\n', which never occurs inside a multi-byte character). */
  readonly bytes: Uint8Array;
  /** The file's line number of the chunk's first line. */
  readonly firstLine: number;
  readonly map: ColumnMap;
  readonly timeframe: Timeframe;
}

export interface ChunkResult {
  readonly t: Float64Array;
  readonly o: Float64Array;
  readonly h: Float64Array;
  readonly l: Float64Array;
  readonly c: Float64Array;
  readonly v: Float64Array;
  readonly line: Float64Array;
  readonly problem: FileProblem | null;
}

export default function parseChunk(task: ChunkTask): ChunkResult {
  const rows = parseRows(new TextDecoder().decode(task.bytes), task.firstLine, task.map, task.timeframe);
  // Typed arrays cross back as one memcpy each; plain arrays would be cloned element by element.
  const f = (column: number[]) => new Float64Array(column);
  return { t: f(rows.t), o: f(rows.o), h: f(rows.h), l: f(rows.l), c: f(rows.c), v: f(rows.v), line: f(rows.line), problem: rows.problem };
}
