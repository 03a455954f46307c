// How `weaver backtest` and `weaver runs show` print a result: a statistics table per strategy
// instance for people, one JSON object for scripts. Money is rounded to the cent here, at the edge.
import type { BacktestResult, InstanceResult } from '../backtest/result.ts';
import { formatTable, printJson, printLine } from './output.ts';

const cents = (x: number) => Math.round(x * 100) / 100;

/** The JSON of a result: the first instance's figures at the top (the common one-strategy case), every instance in `instances`. */
export function resultJson(result: BacktestResult): Record<string, unknown> {
  const first = result.instances[0];
  return {
    run_id: result.run_id,
    status: result.status,
    error: result.error,
    ...(first ? instanceJson(first) : {}),
    instances: result.instances.map(instanceJson),
  };
}

function instanceJson(i: InstanceResult): Record<string, unknown> {
  return {
    instance_id: i.instance_id,
    strategy: i.strategy,
    params: i.params,
    symbols: i.symbols,
    instance_status: i.status,
    instance_error: i.error,
    final_equity: cents(i.final_equity),
    cash: cents(i.cash),
    positions: i.positions,
    stats: i.stats,
    fills: i.fills.map((f) => ({ time: f.time, symbol: f.symbol, side: f.side, price: f.price, qty: f.qty, fee: f.fee, order_id: f.order_id })),
    orders: i.orders,
    trades: i.trades,
    equity: i.equity,
  };
}

const STAT_ROWS: [string, string, (v: number) => string][] = [
  ['total_return', 'total return', pct],
  ['cagr', 'CAGR', pct],
  ['sharpe', 'Sharpe', fixed(2)],
  ['sortino', 'Sortino', fixed(2)],
  ['max_drawdown', 'max drawdown', pct],
  ['max_drawdown_duration_ms', 'max drawdown duration', days],
  ['win_rate', 'win rate', pct],
  ['profit_factor', 'profit factor', fixed(2)],
  ['trades', 'trades (closed)', String],
  ['avg_trade', 'average trade', fixed(2)],
  ['exposure', 'exposure', pct],
  ['fees', 'fees paid', fixed(2)],
];

function pct(v: number): string {
  return `${(v * 100).toFixed(2)} %`;
}
function fixed(n: number): (v: number) => string {
  return (v) => v.toFixed(n);
}
function days(ms: number): string {
  return `${(ms / 86_400_000).toFixed(1)} days`;
}

export function printResult(result: BacktestResult): void {
  printLine(`run ${result.run_id}: ${result.status}${result.error ? ` (${result.error.message})` : ''}`);
  for (const i of result.instances) {
    printLine();
    printLine(`${i.strategy} ${JSON.stringify(i.params)} on ${i.symbols.join(', ')}: ${i.status}${i.error ? ` (${i.error.message})` : ''}`);
    printLine(`  final equity ${cents(i.final_equity).toFixed(2)}, cash ${cents(i.cash).toFixed(2)}, ${i.fills.length} fills, ${i.orders.length} orders`);
    const sampling = i.stats.returns_sampling === 'day' ? '  (Sharpe and Sortino on daily equity)' : '';
    const rows = STAT_ROWS.map(([key, label, format]) => {
      const value = i.stats[key];
      return { label, value: value === null || value === undefined ? 'n/a' : typeof value === 'number' ? format(value) : value === 'inf' ? '∞' : String(value) };
    });
    printLine(
      formatTable(
        [
          { header: 'statistic', value: (r) => r.label },
          { header: 'value', value: (r) => r.value, align: 'right' },
        ],
        rows,
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    if (sampling) printLine(sampling);
  }
}

export function printResultJson(result: BacktestResult): void {
  printJson(resultJson(result));
}
