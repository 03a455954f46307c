// Candles as columns: one array per field, bar i across them, bar starts ascending (epoch ms, UTC). The CSV
// parser and the demo generator produce them, WallE's candle writer stores them. Also the one error every
// file problem becomes: `invalid_file` with the 1-based line number an editor shows and the reason.
import { WeaverError } from '../../protocol/errors.ts';

/** Columns as the parser returns them (number[]) or the demo generator (Float64Array). */
export interface CandleColumns<A extends ArrayLike<number> = ArrayLike<number>> {
  /** Bar start, epoch milliseconds UTC. */
  readonly t: A;
  readonly o: A;
  readonly h: A;
  readonly l: A;
  readonly c: A;
  /** 0 when the file has no volume column. */
  readonly v: A;
}

export interface FileProblem {
  /** 1-based, as an editor shows it (the header is line 1). */
  readonly line: number;
  readonly reason: string;
}

/** `line 3: <reason>` as a WeaverError('invalid_file') with details {line, reason}. */
export function invalidFile(problem: FileProblem): WeaverError {
  return new WeaverError('invalid_file', `line ${problem.line}: ${problem.reason}`, { line: problem.line, reason: problem.reason });
}
