// Demo candles, so a fresh Weaver has a year of data to backtest and chart. Deterministic: one seed gives
// the same bars on every machine and every run (pure-rand's xoroshiro128+, one stream per symbol, derived
// from the seed and the symbol's name, so a symbol's bars do not depend on how many symbols are asked for).
// Prices follow geometric Brownian motion with each symbol's own drift and volatility; every 1m bar is built
// from 6 ten-second sub-steps (open = the previous close, high/low the extremes of the path, prices in cents).
// Trading is 24/7; volume (and volatility with it) follows a U-shaped profile over the UTC day, busiest
// around midnight and quietest at noon, with log-normal noise and more volume on bigger moves.
// Generating 3 symbols × 525,600 bars takes about a second here: Float64Arrays, no allocation per bar.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { WeaverError } from '../../protocol/errors.ts';
import { DataCandlesImported } from '../../protocol/data.ts';
import { makeEvent } from '../../protocol/registry.ts';
import { timeframeMs } from '../../protocol/timeframes.ts';
import { writeCandles } from '../../actors/walle/candles.ts';
import type { EventLog, LogTransaction } from '../eventlog/types.ts';
import type { CandleColumns } from './columns.ts';

export interface DemoSymbol {
  readonly symbol: string;
  /** Price of the first bar's open. */
  readonly price: number;
  /** Annual drift μ and volatility σ of the GBM (24/7: a year is 525,600 minutes). */
  readonly drift: number;
  readonly volatility: number;
  /** Average volume per minute. */
  readonly volume: number;
}

/** Fictional companies, unmistakably demo data; a calm one, a trending one, a wild one first. */
export const DEMO_SYMBOLS: readonly DemoSymbol[] = [
  { symbol: 'DEMO_ACME', price: 100, drift: 0.08, volatility: 0.25, volume: 1_500 },
  { symbol: 'DEMO_GLOBEX', price: 42.5, drift: 0.25, volatility: 0.45, volume: 4_000 },
  { symbol: 'DEMO_INITECH', price: 25, drift: -0.1, volatility: 0.8, volume: 9_000 },
  { symbol: 'DEMO_HOOLI', price: 310, drift: 0.12, volatility: 0.35, volume: 800 },
  { symbol: 'DEMO_UMBRELLA', price: 64, drift: 0.03, volatility: 0.2, volume: 2_500 },
  { symbol: 'DEMO_WONKA', price: 18, drift: 0.4, volatility: 0.9, volume: 12_000 },
];
export const DEMO_DEFAULTS = { symbols: 3, seed: 1, days: 365 } as const;
/** The last bar starts 2025-12-31T23:59Z, whatever the day the demo is generated. */
export const DEMO_END_MS = Date.UTC(2025, 11, 31, 23, 59);
export const DEMO_SOURCE = 'demo';
const MAX_DAYS = 3650;

const SUB_STEPS = 6;
const MINUTES_PER_DAY = 1440;
const MINUTES_PER_YEAR = 365 * MINUTES_PER_DAY;
const MINUTE_MS = timeframeMs('1m');

export interface DemoOptions {
  readonly symbols?: number;
  readonly seed?: number;
  readonly days?: number;
}

/** The first `count` demo symbols; an invalid count, seed or number of days is refused (`invalid_argument`). */
export function demoSymbols(opts: DemoOptions = {}): DemoSymbol[] {
  const { symbols, seed, days } = { ...DEMO_DEFAULTS, ...opts };
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new WeaverError('invalid_argument', message, { symbols, seed, days });
  };
  check(Number.isInteger(symbols) && symbols >= 1 && symbols <= DEMO_SYMBOLS.length, `the number of demo symbols must be 1 to ${DEMO_SYMBOLS.length}, got ${symbols}`);
  check(Number.isSafeInteger(seed), `the seed must be an integer, got ${seed}`);
  check(Number.isInteger(days) && days >= 1 && days <= MAX_DAYS, `the number of days must be 1 to ${MAX_DAYS}, got ${days}`);
  return DEMO_SYMBOLS.slice(0, symbols);
}

/** `days` of 1m bars for one symbol, the last one starting at DEMO_END_MS. */
export function generateDemoBars(spec: DemoSymbol, opts: { seed?: number; days?: number } = {}): CandleColumns<Float64Array> {
  const seed = opts.seed ?? DEMO_DEFAULTS.seed;
  const n = (opts.days ?? DEMO_DEFAULTS.days) * MINUTES_PER_DAY;
  const normal = gaussian(streamFor(seed, spec.symbol));
  const t = new Float64Array(n);
  const o = new Float64Array(n);
  const h = new Float64Array(n);
  const l = new Float64Array(n);
  const c = new Float64Array(n);
  const v = new Float64Array(n);

  // Per minute of the UTC day: the volume profile (mean 1) and, per sub-step, the log-return's drift and sd.
  const dt = 1 / (MINUTES_PER_YEAR * SUB_STEPS);
  const profile = new Float64Array(MINUTES_PER_DAY);
  const stepSd = new Float64Array(MINUTES_PER_DAY);
  const stepDrift = new Float64Array(MINUTES_PER_DAY);
  for (let m = 0; m < MINUTES_PER_DAY; m++) {
    profile[m] = volumeProfile(m / MINUTES_PER_DAY);
    stepSd[m] = spec.volatility * Math.sqrt(profile[m]! * dt);
    stepDrift[m] = spec.drift * dt - 0.5 * stepSd[m]! ** 2;
  }

  const first = DEMO_END_MS - (n - 1) * MINUTE_MS;
  let logPrice = Math.log(spec.price);
  let price = spec.price;
  for (let i = 0; i < n; i++) {
    const ts = first + i * MINUTE_MS;
    const m = (ts / MINUTE_MS) % MINUTES_PER_DAY;
    const open = price;
    let high = open;
    let low = open;
    for (let k = 0; k < SUB_STEPS; k++) {
      logPrice += stepDrift[m]! + stepSd[m]! * normal();
      price = Math.exp(logPrice);
      if (price > high) high = price;
      if (price < low) low = price;
    }
    // The bar's move in units of its expected sd: big moves draw volume.
    const surprise = Math.abs(Math.log(price / open)) / (stepSd[m]! * Math.sqrt(SUB_STEPS));
    t[i] = ts;
    o[i] = cents(open);
    h[i] = cents(high);
    l[i] = cents(low);
    c[i] = cents(price);
    v[i] = Math.round(spec.volume * profile[m]! * Math.exp(0.5 * normal() - 0.125) * (0.5 + 0.6 * surprise));
  }
  return { t, o, h, l, c, v };
}

/** U-shaped over the UTC day (x in [0, 1)): 2.2 at midnight, 0.4 at noon, mean 1. */
export function volumeProfile(x: number): number {
  return 0.4 + 1.8 * (2 * x - 1) ** 2;
}

export interface DemoProgress {
  readonly symbol: string;
  /** Rows written so far over all symbols, of the total. */
  readonly rowsWritten: number;
  readonly rowsTotal: number;
}

export interface DemoWriteOptions extends DemoOptions {
  /** The events' producer (`cli` for the command, `weaver` for the seed at start). */
  readonly producer?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DemoProgress) => void;
}

export interface DemoSummary {
  readonly seed: number;
  readonly days: number;
  readonly rows: number;
  readonly symbols: { symbol: string; rows: number; from: string; to: string }[];
}

/** Generate and write the demo bars in the caller's transaction, one data.CandlesImported per symbol beside its rows. */
export async function writeDemoBars(tx: LogTransaction, opts: DemoWriteOptions = {}): Promise<DemoSummary> {
  if (!tx.db) throw new WeaverError('unsupported', 'demo candles need the Postgres event log (the memory log has no tables)');
  const specs = demoSymbols(opts);
  const { seed, days } = { ...DEMO_DEFAULTS, ...opts };
  const perSymbol = days * MINUTES_PER_DAY;
  const summary: DemoSummary = { seed, days, rows: 0, symbols: [] };
  for (const [index, spec] of specs.entries()) {
    opts.signal?.throwIfAborted();
    const columns = generateDemoBars(spec, { seed, days });
    const report = (written: number) =>
      opts.onProgress?.({ symbol: spec.symbol, rowsWritten: index * perSymbol + written, rowsTotal: specs.length * perSymbol });
    const written = await writeCandles(tx.db, { symbol: spec.symbol, timeframe: '1m', source: DEMO_SOURCE, columns, signal: opts.signal }, report);
    await tx.append([makeEvent(DataCandlesImported, { symbol: spec.symbol, timeframe: '1m', source: DEMO_SOURCE, ...written }, opts.producer ?? 'cli')]);
    summary.symbols.push({ symbol: spec.symbol, ...written });
  }
  return { ...summary, rows: specs.length * perSymbol };
}

/**
 * Write the demo bars in one transaction of their own: all symbols or none, so an interrupted load (an
 * abort through `signal`) leaves nothing half-written behind.
 */
export function writeDemoData(log: EventLog, opts: DemoWriteOptions = {}): Promise<DemoSummary> {
  demoSymbols(opts); // refuse bad options before opening a transaction
  return log.transaction((tx) => writeDemoBars(tx, opts));
}

/** A symbol's own random stream: the seed mixed with an FNV-1a hash of its name, past xoroshiro's warm-up. */
function streamFor(seed: number, symbol: string): RandomGenerator {
  let hash = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) hash = Math.imul(hash ^ symbol.charCodeAt(i), 0x01000193);
  const rng = xoroshiro128plus((hash ^ Math.imul(seed | 0, 0x9e3779b1) ^ Math.floor(seed / 2 ** 32)) | 0);
  for (let i = 0; i < 32; i++) rng.next();
  return rng;
}

/** Standard normal draws (Box–Muller, both values used), from 32-bit uniforms in (0, 1). */
function gaussian(rng: RandomGenerator): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = NaN;
      return z;
    }
    const u1 = ((rng.next() >>> 0) + 0.5) / 4294967296;
    const u2 = ((rng.next() >>> 0) + 0.5) / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

function cents(price: number): number {
  return Math.round(price * 100) / 100;
}
