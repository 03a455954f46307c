// A backtest request (CLI flags, later the gateway's POST /runs) checked and turned into a RunSpec:
// a known strategy with valid parameters, a valid date range, and data for it. Every refusal is a
// WeaverError whose message names what to fix; nothing is written before all of it holds.
import { isTimeframe, newId, TIMEFRAMES, WeaverError, type RunSpec, type Timeframe } from '../../protocol/index.ts';
import { resolveParams, type RawParams } from '../../actors/marvin/params.ts';
import { findStrategy } from '../../actors/marvin/strategies/index.ts';
import type { CandleSource } from '../market-data/source.ts';

export interface BacktestRequest {
  readonly strategy: string;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly params?: RawParams;
  readonly cash?: number;
  readonly commissionRate?: number;
  readonly commissionPerShare?: number;
  readonly commissionMinimum?: number;
  readonly slippageBps?: number;
  readonly fill?: string;
  readonly volumeCap?: number | null;
  readonly name?: string | null;
  /** More instances of the same run (other strategies / params / symbols). */
  readonly more?: readonly { strategy: string; symbols: readonly string[]; params?: RawParams }[];
}

const DAY = 86_400_000;
/** The bounds of an open range (Postgres timestamps cannot go as far as JavaScript dates). */
const OPEN_FROM = Date.UTC(1800, 0, 1);
const OPEN_TO = Date.UTC(2300, 0, 1);

/** `2006-01-02` (a whole UTC day) or an ISO timestamp with a zone → epoch ms; `end` takes a date's last instant. */
export function parseDate(text: string, flag: string, end: boolean): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = dateOnly ? Date.parse(`${text}T00:00:00Z`) : /([zZ]|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new WeaverError('invalid_date', `${flag} ${text}: expected a date (2006-01-02) or an ISO timestamp with a zone (2006-01-02T14:30:00Z)`, { flag, value: text });
  return dateOnly && end ? ms + DAY - 1 : ms;
}

function positive(value: number | undefined, fallback: number, flag: string, allowZero: boolean): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new WeaverError('invalid_argument', `${flag} ${value}: must be a ${allowZero ? 'non-negative' : 'positive'} number`, { flag, value });
  return v;
}

/** Check the request and build the run (from/to still as asked; coverage() fills them in from the data). */
export function buildRunSpec(req: BacktestRequest): RunSpec {
  if (!isTimeframe(req.timeframe)) throw new WeaverError('invalid_timeframe', `--timeframe ${req.timeframe}: expected one of ${TIMEFRAMES.join(', ')}`, { value: req.timeframe });
  if (req.symbols.length === 0) throw new WeaverError('invalid_argument', '--symbol is required: the symbol to backtest (see `weaver data list`)');
  const from = req.from ? parseDate(req.from, '--from', false) : null;
  const to = req.to ? parseDate(req.to, '--to', true) : null;
  if (from !== null && to !== null && from > to) throw new WeaverError('invalid_date_range', `--from ${req.from} is after --to ${req.to}: the range must run forwards`, { from: req.from, to: req.to });
  const fill = req.fill ?? 'next_open';
  if (fill !== 'next_open' && fill !== 'close') throw new WeaverError('invalid_argument', `--fill ${fill}: expected next_open (the next bar's open) or close (the next bar's close)`, { value: fill });
  const volumeCap = req.volumeCap ?? null;
  if (volumeCap !== null && !(volumeCap > 0 && volumeCap <= 1)) throw new WeaverError('invalid_argument', `--volume-cap ${volumeCap}: expected a share of the bar's volume in (0, 1]`, { value: volumeCap });
  const runId = newId();
  const instances = [{ strategy: req.strategy, symbols: req.symbols, params: req.params ?? {} }, ...(req.more ?? [])].map((i) => {
    const def = findStrategy(i.strategy);
    const params = resolveParams(def, i.params ?? {});
    return { instance_id: newId(), strategy: def.name, params: { ...params }, symbols: [...i.symbols] };
  });
  return {
    run_id: runId,
    mode: 'backtest',
    name: req.name ?? null,
    timeframe: req.timeframe as Timeframe,
    from: from === null ? null : new Date(from).toISOString(),
    to: to === null ? null : new Date(to).toISOString(),
    cash: positive(req.cash, 10_000, '--cash', false),
    fill: {
      model: fill,
      slippage_bps: positive(req.slippageBps, 0, '--slippage-bps', true),
      commission: {
        rate: positive(req.commissionRate, 0, '--commission-rate', true),
        per_share: positive(req.commissionPerShare, 0, '--commission-per-share', true),
        minimum: positive(req.commissionMinimum, 0, '--commission-min', true),
      },
      volume_cap: volumeCap,
    },
    instances,
  };
}

/**
 * Narrow the run to the stored bars: an open `from`/`to` becomes the first/last bar; a symbol with no
 * bars in the range is refused (naming the symbol, the timeframe, and what is stored).
 */
export async function fitToData(spec: RunSpec, source: CandleSource): Promise<RunSpec> {
  const symbols = [...new Set(spec.instances.flatMap((i) => i.symbols))];
  const lo = spec.from ? Date.parse(spec.from) : OPEN_FROM;
  const hi = spec.to ? Date.parse(spec.to) : OPEN_TO;
  const cover = await source.coverage(symbols, spec.timeframe, lo, hi);
  const missing = cover.filter((c) => c.bars === 0);
  if (missing.length > 0) {
    const stored = await source.stored(missing.map((m) => m.symbol));
    const what = missing
      .map((m) => {
        const same = stored.find((x) => x.symbol === m.symbol && x.timeframe === spec.timeframe);
        if (same) return `${m.symbol} has ${same.bars} ${spec.timeframe} bars from ${iso(same.first!)} to ${iso(same.last!)}, none in the range asked (--from/--to)`;
        const other = stored.filter((x) => x.symbol === m.symbol);
        if (other.length > 0) {
          const list = other.map((o) => `${o.timeframe} (${o.bars} bars, ${iso(o.first!).slice(0, 10)} … ${iso(o.last!).slice(0, 10)})`).join(', ');
          return `${m.symbol} has no ${spec.timeframe} bars but has ${list}: use --timeframe ${other[0]!.timeframe}, or import ${spec.timeframe} bars`;
        }
        return `${m.symbol} has no bars at all (import them: weaver data import FILE --symbol ${m.symbol} --timeframe ${spec.timeframe}; see what is stored: weaver data list)`;
      })
      .join('; ');
    throw new WeaverError('missing_data', `no data for the backtest: ${what}`, { symbols: missing.map((m) => m.symbol), timeframe: spec.timeframe });
  }
  const first = Math.min(...cover.map((c) => c.first!));
  const last = Math.max(...cover.map((c) => c.last!));
  return { ...spec, from: iso(spec.from ? lo : first), to: iso(spec.to ? hi : last) };
}

const iso = (ms: number) => new Date(ms).toISOString();
