// Importing a candle file: parse and validate the whole file first (a bad file writes nothing), then write
// every row and one data.CandlesImported event in ONE transaction of the event log, so consumers see the
// event exactly when the rows are there. `weaver data import` calls this; so will `weaver backtest --data`.
import { basename } from 'node:path';
import { WeaverError } from '../../protocol/errors.ts';
import { DataCandlesImported } from '../../protocol/data.ts';
import { makeEvent } from '../../protocol/registry.ts';
import type { Timeframe } from '../../protocol/timeframes.ts';
import { writeCandles } from '../../actors/walle/candles.ts';
import type { EventLog } from '../eventlog/types.ts';
import type { CsvFormat, DetectedFormat } from './formats.ts';
import { parseCandleFile } from './parse-pool.ts';

const SYMBOL = /^[A-Z0-9][A-Z0-9._\-/]{0,31}$/;

export interface ImportProgress {
  /** 'parse' counts bytes of the file, 'write' counts rows. */
  readonly phase: 'parse' | 'write';
  readonly done: number;
  readonly total: number;
}

export interface ImportOptions {
  readonly log: EventLog;
  readonly file: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Default 'auto'. */
  readonly format?: CsvFormat;
  /** Kept per row; default `csv:<file name>`. */
  readonly source?: string;
  /** The event's producer; default 'cli'. */
  readonly producer?: string;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Files bigger than this are parsed by the worker pool (parse-pool.ts; tests lower it). */
  readonly poolThresholdBytes?: number;
}

export interface ImportSummary {
  readonly file: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly format: DetectedFormat;
  readonly source: string;
  readonly rows: number;
  readonly from: string;
  readonly to: string;
  readonly warnings: string[];
}

/** Symbols are stored in upper case: `aapl` and `AAPL` are one series. */
export function normalizeSymbol(symbol: string): string {
  const upper = symbol.trim().toUpperCase();
  if (!SYMBOL.test(upper)) {
    throw new WeaverError(
      'invalid_symbol',
      `invalid symbol '${symbol}': use 1 to 32 letters, digits and . _ - /, starting with a letter or digit (e.g. AAPL, BRK.B, BTC/USD)`,
      { symbol },
    );
  }
  return upper;
}

export async function importCandles(opts: ImportOptions): Promise<ImportSummary> {
  const symbol = normalizeSymbol(opts.symbol);
  const source = opts.source ?? `csv:${basename(opts.file)}`;
  let parsed;
  try {
    parsed = await parseCandleFile(opts.file, {
      timeframe: opts.timeframe,
      format: opts.format,
      poolThresholdBytes: opts.poolThresholdBytes,
      onProgress: (done, total) => opts.onProgress?.({ phase: 'parse', done, total }),
    });
  } catch (error) {
    // Name the file: "line 3: …" alone does not say which file when a script imports many.
    if (error instanceof WeaverError && error.code === 'invalid_file') {
      throw new WeaverError('invalid_file', `${opts.file}, ${error.message}; nothing was imported`, error.details);
    }
    throw error;
  }

  const written = await opts.log.transaction(async (tx) => {
    if (!tx.db) throw new WeaverError('unsupported', 'importing candles needs the Postgres event log (the memory log has no tables)');
    const result = await writeCandles(tx.db, { symbol, timeframe: opts.timeframe, source, columns: parsed.columns }, (done, total) =>
      opts.onProgress?.({ phase: 'write', done, total }),
    );
    await tx.append([makeEvent(DataCandlesImported, { symbol, timeframe: opts.timeframe, source, ...result }, opts.producer ?? 'cli')]);
    return result;
  });
  return { file: opts.file, symbol, timeframe: opts.timeframe, format: parsed.format, source, ...written, warnings: parsed.warnings };
}
