// WallE's writes of a backtest's results: one `backtests` row per strategy instance (statistics, final
// portfolio, equity curve) and its round-trip `trades`, a few hundred rows an event in one statement.
import type { CommonQueryMethods } from 'slonik';
import type { BacktestCompleted, BacktestTrades, PayloadOf } from '../../../protocol/index.ts';
import { sql } from '../../../runtime/db/pool.ts';

/** backtest.Completed: the instance's result; a result sent again replaces the stored one. */
export async function upsertBacktest(db: CommonQueryMethods, p: PayloadOf<typeof BacktestCompleted>): Promise<void> {
  await db.query(sql.unsafe`
    INSERT INTO backtests (instance_id, run_id, status, final_equity, cash, stats, equity_curve, positions, fill_count, order_count, trade_count)
    VALUES (${p.instance_id}::uuid, ${p.run_id}::uuid, ${p.status}, ${p.final_equity}, ${p.cash}, ${sql.jsonb(p.stats as never)},
            ${sql.jsonb(p.equity as never)}, ${sql.jsonb(p.positions as never)}, ${p.fills}, ${p.orders}, ${p.trades})
    ON CONFLICT (instance_id) DO UPDATE SET
      run_id = EXCLUDED.run_id, status = EXCLUDED.status, final_equity = EXCLUDED.final_equity, cash = EXCLUDED.cash,
      stats = EXCLUDED.stats, equity_curve = EXCLUDED.equity_curve, positions = EXCLUDED.positions,
      fill_count = EXCLUDED.fill_count, order_count = EXCLUDED.order_count, trade_count = EXCLUDED.trade_count,
      updated_at = now()`);
}

/**
 * backtest.Trades: one multi-row insert from a jsonb array. Numbers travel as JSON (JavaScript's shortest
 * form, read by Postgres as numeric exactly as written); entry and exit times go from epoch ms to ISO.
 */
export async function insertTrades(db: CommonQueryMethods, p: PayloadOf<typeof BacktestTrades>): Promise<void> {
  if (p.trades.length === 0) return;
  const rows = p.trades.map((t) => ({
    ...t,
    entry_ts: new Date(t.entry_ts).toISOString(),
    exit_ts: t.exit_ts === null ? null : new Date(t.exit_ts).toISOString(),
  }));
  await db.query(sql.unsafe`
    INSERT INTO trades (instance_id, seq, run_id, symbol, side, entry_ts, exit_ts, entry_price, exit_price, qty, pnl, fees)
    SELECT ${p.instance_id}::uuid, t.seq, ${p.run_id}::uuid, t.symbol, t.side, t.entry_ts, t.exit_ts,
           t.entry_price, t.exit_price, t.qty, t.pnl, t.fees
    FROM jsonb_to_recordset(${sql.jsonb(rows as never)}) AS t(
      seq integer, symbol text, side text, entry_ts timestamptz, exit_ts timestamptz,
      entry_price numeric, exit_price numeric, qty numeric, pnl numeric, fees numeric)
    ON CONFLICT (instance_id, seq) DO NOTHING`);
}
