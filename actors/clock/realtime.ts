// The realtime ticker, the core of the live clock (baseline §12.2): it calls onTick once per bar boundary of the
// wall clock, with ts = the boundary (never the wall time), in order, never twice, and never before the
// boundary. The clock actor wraps it (run ids, clock.Tick events, its snapshot); this file knows only time.
//
// Timing. Every wait is computed afresh from the absolute next boundary and the clock, so nothing accumulates:
// a late wake-up or a slow consumer never shifts the later ticks. A wait sleeps with setTimeout until
// `boundary − spinMs`, then spins on setImmediate until the clock reaches the boundary. Why both:
// setTimeout alone fires 1–2 ms late on an idle loop, and up to ~1 ms EARLY (Node starts a timer from the
// loop's cached time: 3 of 200 5 ms timers fired early here, the earliest after 4.18 ms). Every wake-up
// re-reads the clock before emitting, so a tick is never early; the spin brings the error from ~1.3 ms to
// a few µs on an idle machine (figures: `npm run bench:clock`). Long sleeps are cut into chunks of
// at most MAX_SLEEP_CHUNK_MS: libuv's timers run on the monotonic clock, which neither follows a step of the
// system clock (NTP) nor, on Linux, advances while the machine is suspended, so a single 59 s timer armed
// before a suspend would fire 59 s after the resume; with chunks the ticker looks at the wall clock again
// within a second.
//
// Missed boundaries (the process was suspended or overloaded, the consumer was slower than a bar, or a
// restart resumes with `startAfter` further back): each passed boundary is emitted at once, in order, with
// its lateness, so consumers see every bar; but at most `maxCatchUpBars` of them (default 10). When more
// have passed, the older ones are skipped: onLate reports them ({kind: 'skipped'}) and the most recent
// `maxCatchUpBars` are emitted. A strategy then sees the bars it can still act on instead of a burst of
// hours of stale ones. barIndex is a function of ts (firstBarIndex + bars since the first boundary after
// startAfter), so a skip is also visible to consumers as a gap in barIndex.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import * as v from 'valibot';
import { issuesToDetails, WeaverError } from '../../protocol/errors.ts';
import { barStart, nextBarStart } from '../../protocol/timeframes.ts';

/**
 * How long before a boundary the timer hands over to the spin. It must cover setTimeout's lateness (1–2 ms
 * on Linux, a 15.6 ms timer quantum on Windows, more under GC or load). The spin costs at most spinMs of
 * one core per tick: `npm run bench:clock` measured 9.3 ms of CPU per tick against 1.7 ms with setTimeout
 * alone (30 ticks of 1 s, 2 cores, load average ~3 from other work), so ~0.8% of a core on 1 s bars and
 * ~0.013% on 1m bars; the same run's tick error was p50 0.17 / max 6.8 ms against 0.91 / 107 ms. The spin
 * yields to I/O and timers on every turn, unlike a synchronous busy-wait, so the actor still answers its
 * heartbeats meanwhile.
 */
export const DEFAULT_SPIN_MS = 15;
export const DEFAULT_MAX_CATCH_UP_BARS = 10;
/** The baseline's precision target (±50 ms): a tick later than this is reported to onLate. */
export const DEFAULT_LATE_WARN_MS = 50;
/** The longest single setTimeout: the ticker re-reads the wall clock at least this often (see the top). */
export const MAX_SLEEP_CHUNK_MS = 1000;

export interface RealtimeTick {
  /** The bar boundary, epoch ms UTC. */
  readonly ts: number;
  /** firstBarIndex + the number of bars between the first boundary after startAfter (or start) and ts. */
  readonly barIndex: number;
  /** The wall clock minus ts when onTick was called, ms; ≥ 0 as read by the ticker's own clock. */
  readonly lateMs: number;
}

export type LateInfo =
  /** A tick emitted more than lateWarnMs after its boundary (overload, suspension, slow consumer, catch-up). */
  | { readonly kind: 'late'; readonly ts: number; readonly barIndex: number; readonly lateMs: number }
  /** Boundaries fromTs..toTs (inclusive, `bars` of them) passed beyond the catch-up limit and are never emitted. */
  | { readonly kind: 'skipped'; readonly fromTs: number; readonly toTs: number; readonly bars: number; readonly nowMs: number };

export interface RealtimeTickerOptions {
  /** The bar length, ms (timeframeMs('1m') = 60000; tests use 1000). */
  readonly lengthMs: number;
  /** Awaited before the next tick is scheduled: a slow consumer delays ticks, never reorders them. A throw ends the ticker (done rejects). */
  readonly onTick: (tick: RealtimeTick) => void | Promise<void>;
  /** Aborting it stops the ticker, as stop() does. */
  readonly signal: AbortSignal;
  /** The barIndex of the first boundary after startAfter (or after start). Default 0. */
  readonly firstBarIndex?: number;
  /** Emit only boundaries strictly after this (the last emitted ts, when resuming after a restart). */
  readonly startAfter?: number;
  /**
   * The wall clock, epoch ms (fractional allowed). Default Date.now: it follows the system clock's NTP
   * corrections, as bar boundaries must; performance.timeOrigin + performance.now() is finer but monotonic,
   * so it drifts away from UTC over a long-running process. Date.now()'s whole milliseconds cost no
   * precision: its reading reaches the boundary at the very instant the true time does.
   */
  readonly now?: () => number;
  /** See DEFAULT_SPIN_MS. 0 waits with setTimeout alone. */
  readonly spinMs?: number;
  /** The most passed boundaries emitted at once (see the top); 1 keeps only the latest. */
  readonly maxCatchUpBars?: number;
  /** Ticks later than this are reported to onLate. */
  readonly lateWarnMs?: number;
  /** Told about late ticks and skipped boundaries, synchronously; the clock actor logs them. */
  readonly onLate?: (info: LateInfo) => void;
}

export interface Ticker {
  /** Stop ticking; resolves once the loop has ended (after an onTick in progress returns). No tick follows. */
  stop(): Promise<void>;
  /** Settles when the ticker ends: resolves when stopped or aborted, rejects with onTick's or onLate's error. */
  readonly done: Promise<void>;
}

const Ms = (what: string) => v.pipe(v.number(`${what} must be a number`), v.finite(`${what} must be finite`));
const Options = v.object({
  lengthMs: v.pipe(Ms('lengthMs'), v.integer('lengthMs must be a whole number of ms'), v.minValue(1, 'lengthMs must be at least 1')),
  onTick: v.function('onTick must be a function'),
  signal: v.instance(AbortSignal, 'signal must be an AbortSignal'),
  firstBarIndex: v.optional(v.pipe(Ms('firstBarIndex'), v.integer('firstBarIndex must be an integer'), v.minValue(0, 'firstBarIndex must be ≥ 0')), 0),
  startAfter: v.optional(Ms('startAfter')),
  now: v.optional(v.function('now must be a function returning epoch ms')),
  spinMs: v.optional(v.pipe(Ms('spinMs'), v.minValue(0, 'spinMs must be ≥ 0')), DEFAULT_SPIN_MS),
  maxCatchUpBars: v.optional(v.pipe(Ms('maxCatchUpBars'), v.integer('maxCatchUpBars must be an integer'), v.minValue(1, 'maxCatchUpBars must be at least 1')), DEFAULT_MAX_CATCH_UP_BARS),
  lateWarnMs: v.optional(v.pipe(Ms('lateWarnMs'), v.minValue(0, 'lateWarnMs must be ≥ 0')), DEFAULT_LATE_WARN_MS),
  onLate: v.optional(v.function('onLate must be a function')),
});

function parseOptions(options: RealtimeTickerOptions) {
  const parsed = v.safeParse(Options, options);
  if (!parsed.success) {
    const details = issuesToDetails(parsed.issues);
    throw new WeaverError('invalid_ticker_options', `invalid realtime ticker options: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
  }
  const o = parsed.output;
  if (o.spinMs >= o.lengthMs) {
    throw new WeaverError('invalid_ticker_options', `invalid realtime ticker options: spinMs (${o.spinMs}) must be shorter than the bar (lengthMs ${o.lengthMs})`);
  }
  return { ...o, onTick: options.onTick, now: options.now ?? Date.now, onLate: options.onLate };
}

/** Start ticking at the wall clock's bar boundaries; see the top of this file for the timing and catch-up policy. */
export function startRealtimeTicker(options: RealtimeTickerOptions): Ticker {
  const { lengthMs, onTick, signal, firstBarIndex, startAfter, now: clock, spinMs, maxCatchUpBars, lateWarnMs, onLate } = parseOptions(options);
  const readClock = () => {
    const now = clock();
    if (!Number.isFinite(now)) throw new WeaverError('invalid_clock', `the realtime ticker's now() returned ${now}, not epoch ms: pass a clock like Date.now`);
    return now;
  };
  const first = nextBarStart(startAfter ?? readClock(), lengthMs);
  const barIndexOf = (ts: number) => firstBarIndex + (ts - first) / lengthMs;

  const stopping = new AbortController();
  const onAbort = () => stopping.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stopping.abort();

  /** Wait until the clock reaches `target`; the clock's reading then (≥ target), or undefined once stopped. */
  async function reach(target: number): Promise<number | undefined> {
    for (;;) {
      if (stopping.signal.aborted) return undefined;
      const now = readClock();
      const remaining = target - now;
      if (remaining <= 0) return now;
      if (remaining > spinMs) {
        await sleep(Math.min(remaining - spinMs, MAX_SLEEP_CHUNK_MS), undefined, { signal: stopping.signal }).catch(() => undefined);
      } else {
        await nextTurn();
      }
    }
  }

  async function run(): Promise<void> {
    try {
      let next = first;
      for (;;) {
        const now = await reach(next);
        if (now === undefined) return;
        // Boundaries in [next, now]: 1 on time, more after a suspension, an overload or a slow consumer.
        const passed = (barStart(now, lengthMs) - next) / lengthMs + 1;
        if (passed > maxCatchUpBars) {
          const skipped = passed - maxCatchUpBars;
          onLate?.({ kind: 'skipped', fromTs: next, toTs: next + (skipped - 1) * lengthMs, bars: skipped, nowMs: now });
          next += skipped * lengthMs;
        }
        const tick = { ts: next, barIndex: barIndexOf(next), lateMs: now - next };
        if (tick.lateMs > lateWarnMs) onLate?.({ kind: 'late', ...tick });
        await onTick(tick);
        next += lengthMs;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stopping.abort();
    }
  }

  const done = run();
  return {
    done,
    stop() {
      stopping.abort();
      return done.then(() => undefined, () => undefined);
    },
  };
}
