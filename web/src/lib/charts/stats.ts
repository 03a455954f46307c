// A backtest's statistics (actors/greta/stats.ts) as the dashboard shows them: in a fixed order with
// readable names, fractions as percentages, durations in days and hours, counts as whole numbers, and
// any key the server adds later shown as it comes. Used by the run page and the backtests comparison.
import { num, pct, stat } from '../format.ts';

type Format = 'money' | 'percent' | 'ratio' | 'count' | 'duration' | 'text';

/** Known keys in the order they are read, with what their numbers are. */
export const STAT_ROWS: readonly { key: string; label: string; format: Format; hint?: string }[] = [
  { key: 'start_equity', label: 'Start equity', format: 'money' },
  { key: 'end_equity', label: 'End equity', format: 'money' },
  { key: 'total_return', label: 'Total return', format: 'percent' },
  { key: 'cagr', label: 'CAGR', format: 'percent', hint: 'compound annual growth rate' },
  { key: 'sharpe', label: 'Sharpe ratio', format: 'ratio' },
  { key: 'sortino', label: 'Sortino ratio', format: 'ratio' },
  { key: 'max_drawdown', label: 'Max drawdown', format: 'percent', hint: 'largest fall from a peak' },
  { key: 'max_drawdown_duration_ms', label: 'Longest drawdown', format: 'duration', hint: 'from a peak to regaining it' },
  { key: 'win_rate', label: 'Win rate', format: 'percent' },
  { key: 'profit_factor', label: 'Profit factor', format: 'ratio', hint: 'gross profit / gross loss' },
  { key: 'trades', label: 'Closed trades', format: 'count' },
  { key: 'open_trades', label: 'Open trades', format: 'count' },
  { key: 'avg_trade', label: 'Average trade', format: 'money' },
  { key: 'exposure', label: 'Exposure', format: 'percent', hint: 'share of bars with a position' },
  { key: 'fees', label: 'Fees', format: 'money' },
  { key: 'returns_sampling', label: 'Returns sampled per', format: 'text' },
  { key: 'periods_per_year', label: 'Periods per year', format: 'count' },
];

/** A duration in milliseconds as days, hours and minutes (the two largest units). */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'n/a';
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

function formatOf(key: string): Format {
  const known = STAT_ROWS.find((r) => r.key === key);
  if (known) return known.format;
  if (/percent|return|drawdown|rate|exposure/.test(key)) return 'percent';
  if (key.endsWith('_ms')) return 'duration';
  return 'ratio';
}

/** One statistic as text: 'n/a' for what could not be computed, '∞' for an infinite profit factor. */
export function formatStat(key: string, value: unknown): string {
  if (value === null || value === undefined) return 'n/a';
  if (value === 'inf') return '∞';
  if (typeof value !== 'number') return String(value);
  switch (formatOf(key)) {
    case 'percent':
      return pct(value);
    case 'money':
      return num(value, 2);
    case 'count':
      return num(value, 0);
    case 'duration':
      return duration(value);
    case 'ratio':
      return num(value, 2);
    default:
      return stat(value);
  }
}

/** The rows to show for these statistics objects: the known ones first, then any other key seen. */
export function statRows(all: readonly Record<string, unknown>[]): { key: string; label: string; hint?: string }[] {
  const rows: { key: string; label: string; hint?: string }[] = STAT_ROWS.filter((r) => all.some((s) => r.key in s));
  const known = new Set(STAT_ROWS.map((r) => r.key));
  for (const s of all) for (const key of Object.keys(s)) if (!known.has(key) && !rows.some((r) => r.key === key)) rows.push({ key, label: key.replaceAll('_', ' ') });
  return rows;
}
