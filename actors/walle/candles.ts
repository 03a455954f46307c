// WallE's candle writer: the one code path that writes the `candles` table (the import command, the demo
// seeder). An idempotent upsert on the natural key (symbol, timeframe, ts) in batches of 5,000 rows, each
// one statement of typed arrays (unnest); it runs in the caller's transaction, so the caller decides what
// commits together (rows and their data.CandlesImported event). A row that is written again with the same
// values is left alone (no new row version, updated_at kept); changed values are updated and stamped.
import type { CommonQueryMethods } from 'slonik';
import type { Timeframe } from '../../protocol/timeframes.ts';
import { sql } from '../../runtime/db/pool.ts';
import type { CandleColumns } from '../../runtime/data/columns.ts';
import { formatTimestamp } from '../../runtime/data/timestamps.ts';

/**
 * Rows per statement: ~300 KB of parameters and a progress report every ~75 ms. Postgres' side (numeric
 * input, the primary key index) dominates: ~60,000–75,000 rows/s here whether batches hold 5,000 or 20,000.
 */
export const CANDLE_BATCH_ROWS = 5_000;

export interface CandleWrite {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Where the bars came from (`csv:file.csv`, `demo`); kept per row. */
  readonly source: string;
  /** Bar starts ascending (the parser and the demo generator guarantee it). */
  readonly columns: CandleColumns;
  /** Checked before each batch: an abort throws, and the caller's transaction rolls back. */
  readonly signal?: AbortSignal;
}

export interface CandlesWritten {
  readonly rows: number;
  /** First and last bar start written, ISO-8601 UTC. */
  readonly from: string;
  readonly to: string;
}

export async function writeCandles(
  db: CommonQueryMethods,
  write: CandleWrite,
  onProgress?: (rowsWritten: number, rowsTotal: number) => void,
): Promise<CandlesWritten> {
  const { t, o, h, l, c, v } = write.columns;
  const n = t.length;
  if (n === 0) throw new Error('writeCandles: no rows to write');
  if ([o, h, l, c, v].some((col) => col.length !== n)) throw new Error('writeCandles: the columns differ in length');
  for (let from = 0; from < n; from += CANDLE_BATCH_ROWS) {
    write.signal?.throwIfAborted();
    const to = Math.min(n, from + CANDLE_BATCH_ROWS);
    const slice = (col: ArrayLike<number>) => Array.prototype.slice.call(col, from, to) as number[];
    // Prices travel as numeric[]: each double as JavaScript prints it (the shortest form that reads back as
    // the same double), so 3578.73 is stored as 3578.73. (A float8[] cast to numeric would keep 15 digits.)
    const price = (col: ArrayLike<number>) => sql.array(slice(col), 'numeric');
    await db.query(sql.unsafe`
      INSERT INTO candles AS k (symbol, timeframe, ts, open, high, low, close, volume, source)
      SELECT ${write.symbol}, ${write.timeframe}, to_timestamp(u.t / 1000.0), u.o, u.h, u.l, u.c, u.v, ${write.source}
      FROM unnest(${sql.array(slice(t), 'float8')}, ${price(o)}, ${price(h)}, ${price(l)}, ${price(c)}, ${price(v)}) AS u(t, o, h, l, c, v)
      ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET
        open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
        volume = EXCLUDED.volume, source = EXCLUDED.source, updated_at = now()
      WHERE (k.open, k.high, k.low, k.close, k.volume, k.source)
        IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume, EXCLUDED.source)`);
    onProgress?.(to, n);
  }
  return { rows: n, from: formatTimestamp(t[0]!), to: formatTimestamp(t[n - 1]!) };
}
