// The realtime ticker against the real timers: ticks at 1 s boundaries, in order, never early, within the
// baseline's ±50 ms; stop; resuming with startAfter; the missed-boundary policy. Most cases read a fake wall
// clock that runs at real speed from just before a boundary (and can jump), so each waits well under a
// second; the cases run concurrently (they are idle between ticks) to keep the file near 5 s.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'vitest';
import { startRealtimeTicker, type LateInfo, type RealtimeTick } from '../../actors/clock/realtime.ts';
import { WeaverError } from '../../protocol/errors.ts';

const SECOND = 1000;
/** A boundary of the fake clocks: 2024-01-02 09:30:00 UTC. */
const B = Date.UTC(2024, 0, 2, 9, 30);
const fineNow = () => performance.timeOrigin + performance.now();

/** A wall clock running at real speed from `startMs`, which a test can jump forward. */
function fakeClock(startMs: number) {
  const t0 = performance.now();
  let jumped = 0;
  return {
    now: () => startMs + (performance.now() - t0) + jumped,
    jump(ms: number) { jumped += ms; },
  };
}

/** Run a ticker until `count` ticks were seen (it is stopped by aborting its signal from the last onTick). */
async function collect(count: number, options: Omit<Parameters<typeof startRealtimeTicker>[0], 'onTick' | 'signal'>, onTick?: (tick: RealtimeTick) => void | Promise<void>) {
  const ticks: RealtimeTick[] = [];
  const late: LateInfo[] = [];
  const abort = new AbortController();
  const ticker = startRealtimeTicker({
    ...options,
    signal: abort.signal,
    onLate: (info) => late.push(info),
    onTick: async (tick) => {
      ticks.push(tick);
      await onTick?.(tick);
      if (ticks.length === count) abort.abort();
    },
  });
  await ticker.done;
  return { ticks, late };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

describe.concurrent('startRealtimeTicker', () => {
  test('ticks at five consecutive 1 s boundaries, in order, never early and within ±50 ms', async ({ expect }) => {
    const wallAtTick: number[] = [];
    const { ticks } = await collect(5, { lengthMs: SECOND, now: fineNow, firstBarIndex: 10 }, (tick) => { wallAtTick.push(fineNow() - tick.ts); });
    expect(ticks).toHaveLength(5);
    ticks.forEach((tick, i) => {
      expect(tick.ts % SECOND).toBe(0);
      expect(tick.barIndex).toBe(10 + i);
      if (i > 0) expect(tick.ts).toBe(ticks[i - 1]!.ts + SECOND);
      expect(tick.lateMs).toBeGreaterThanOrEqual(0);
      expect(tick.lateMs).toBeLessThanOrEqual(50);
      expect(wallAtTick[i]!).toBeGreaterThanOrEqual(tick.lateMs);
    });
    const sorted = ticks.map((t) => t.lateMs).sort((a, b) => a - b);
    console.log(`realtime ticker, 1 s bars, ${sorted.length} ticks: lateMs p50 ${percentile(sorted, 50).toFixed(3)} ms, max ${sorted.at(-1)!.toFixed(3)} ms`);
  });

  test('with the default clock (Date.now) ticks are on boundaries and never early', async ({ expect }) => {
    const wallAtTick: number[] = [];
    const { ticks } = await collect(2, { lengthMs: SECOND }, () => { wallAtTick.push(Date.now()); });
    expect(ticks.map((t) => t.ts % SECOND)).toEqual([0, 0]);
    expect(ticks[1]!.ts - ticks[0]!.ts).toBe(SECOND);
    ticks.forEach((tick, i) => {
      expect(wallAtTick[i]!).toBeGreaterThanOrEqual(tick.ts);
      expect(tick.lateMs).toBeGreaterThanOrEqual(0);
      expect(tick.lateMs).toBeLessThanOrEqual(50);
    });
  });

  test.for([
    ['sleeping', 500],
    ['spinning just before the boundary', 992],
  ] as const)('stop() while %s ends it promptly and no tick follows', async ([, stopAtMs], { expect }) => {
    const clock = fakeClock(B - 50);
    const ticks: number[] = [];
    const ticker = startRealtimeTicker({ lengthMs: SECOND, now: clock.now, signal: new AbortController().signal, onTick: (t) => { ticks.push(t.ts); } });
    await sleep(B + stopAtMs - 20 - clock.now());
    while (clock.now() < B + stopAtMs) await nextTurn();
    const seen = ticks.length; // 1, unless this process was held up past B + 1000 (a loaded machine)
    const asked = performance.now();
    await ticker.stop();
    expect(performance.now() - asked).toBeLessThan(200); // a cancelled sleep, not the ~500 ms left of it
    await expect(ticker.done).resolves.toBeUndefined();
    await sleep(B + SECOND + 100 - clock.now()); // past the next boundary
    expect(ticks.length).toBe(seen);
    expect(ticks[0]).toBe(B);
  });

  test('stop() during onTick waits for it to return, and no tick follows', async ({ expect }) => {
    const clock = fakeClock(B - 20);
    const ticks: number[] = [];
    let returned = false;
    let stopped: Promise<void> | undefined;
    const ticker = startRealtimeTicker({
      lengthMs: SECOND, now: clock.now, signal: new AbortController().signal,
      onTick: async (t) => {
        ticks.push(t.ts);
        stopped = ticker.stop();
        clock.jump(2 * SECOND); // two more boundaries have passed: they would be emitted at once if it went on
        await sleep(30);
        returned = true;
      },
    });
    await ticker.done;
    await stopped;
    expect(returned).toBe(true);
    expect(ticks).toEqual([B]);
  });

  test('an aborted signal stops it before any tick', async ({ expect }) => {
    const abort = new AbortController();
    abort.abort();
    const ticks: RealtimeTick[] = [];
    const ticker = startRealtimeTicker({ lengthMs: SECOND, now: fakeClock(B - 5).now, signal: abort.signal, onTick: (t) => { ticks.push(t); } });
    await ticker.done;
    await sleep(30);
    expect(ticks).toEqual([]);
  });

  test('startAfter: a clock a few ms behind the last emitted tick does not emit it again', async ({ expect }) => {
    // The previous instance emitted B; this one's clock reads B − 5 ms (another host's, or a small NTP step back).
    const { ticks } = await collect(1, { lengthMs: SECOND, now: fakeClock(B - 5).now, startAfter: B, firstBarIndex: 8 });
    expect(ticks.map((t) => [t.ts, t.barIndex])).toEqual([[B + SECOND, 8]]);
  });

  test('startAfter: the bars missed while down are emitted at once, in order, then ticking goes on on time', async ({ expect }) => {
    // The last emitted tick was B − 2 s (bar 2); the restart happens at B + 0.5 s.
    const { ticks, late } = await collect(3, { lengthMs: SECOND, now: fakeClock(B + 500).now, startAfter: B - 2 * SECOND, firstBarIndex: 3 });
    expect(ticks.map((t) => [t.ts, t.barIndex])).toEqual([[B - SECOND, 3], [B, 4], [B + SECOND, 5]]);
    expect(ticks[0]!.lateMs).toBeGreaterThanOrEqual(1500);
    expect(ticks[1]!.lateMs).toBeGreaterThanOrEqual(500);
    expect(ticks[1]!.lateMs).toBeLessThan(SECOND); // emitted at once, within its bar, not a bar later
    expect(ticks[2]!.lateMs).toBeGreaterThanOrEqual(0); // waited for its boundary (the timing is the first case's)
    expect(ticks[2]!.lateMs).toBeLessThan(SECOND);
    expect(late.filter((l) => l.kind === 'late' && l.ts <= B).map((l) => l.kind === 'late' && l.ts)).toEqual([B - SECOND, B]);
  });

  test('a clock jumping 3.5 bars ahead: each missed boundary is emitted at once, in order, never overlapping', async ({ expect }) => {
    const clock = fakeClock(B - 50);
    let inFlight = 0;
    const { ticks, late } = await collect(5, { lengthMs: SECOND, now: clock.now }, async (tick) => {
      expect(++inFlight).toBe(1);
      if (tick.ts === B) clock.jump(3.5 * SECOND); // a suspension or a stalled process, as the next loop sees it
      await sleep(5);
      inFlight--;
    });
    expect(ticks.map((t) => [t.ts, t.barIndex])).toEqual([[B, 0], [B + 1000, 1], [B + 2000, 2], [B + 3000, 3], [B + 4000, 4]]);
    const lateness = ticks.map((t) => t.lateMs);
    // Emitted at once: each within the bar after the jump (fake B + 3500 …), before B + 4000; not one per bar.
    expect(lateness[1]).toBeGreaterThanOrEqual(2500);
    expect(lateness[2]).toBeGreaterThanOrEqual(1500);
    expect(lateness[3]).toBeGreaterThanOrEqual(500);
    expect(lateness[1]! - 2500).toBeLessThan(500);
    expect(lateness[3]! - 500).toBeLessThan(500);
    expect(lateness[4]).toBeGreaterThanOrEqual(0); // the next one waited for its boundary
    expect(lateness[4]).toBeLessThan(SECOND);
    const catchUp = late.filter((l) => l.kind === 'late' && l.ts > B && l.ts < B + 4000);
    expect(catchUp.map((l) => l.kind === 'late' && l.ts)).toEqual([B + 1000, B + 2000, B + 3000]);
    expect(late.every((l) => l.kind === 'late')).toBe(true);
  });

  test('past maxCatchUpBars the older missed boundaries are skipped, reported, and leave a gap in barIndex', async ({ expect }) => {
    const clock = fakeClock(B - 50);
    const { ticks, late } = await collect(4, { lengthMs: SECOND, now: clock.now, maxCatchUpBars: 2 }, (tick) => {
      if (tick.ts === B) clock.jump(3.5 * SECOND);
    });
    expect(ticks.map((t) => [t.ts, t.barIndex])).toEqual([[B, 0], [B + 2000, 2], [B + 3000, 3], [B + 4000, 4]]);
    const skipped = late.filter((l) => l.kind === 'skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ kind: 'skipped', fromTs: B + 1000, toTs: B + 1000, bars: 1 });
    expect(late.filter((l) => l.kind === 'late' && l.ts > B && l.ts < B + 4000).map((l) => l.kind === 'late' && l.ts)).toEqual([B + 2000, B + 3000]);
  });

  test('an onTick that throws ends the ticker: done rejects with its error and no tick follows', async ({ expect }) => {
    const clock = fakeClock(B - 20);
    const ticks: number[] = [];
    const ticker = startRealtimeTicker({
      lengthMs: SECOND, now: clock.now, signal: new AbortController().signal,
      onTick: (t) => {
        ticks.push(t.ts);
        clock.jump(SECOND); // the next boundary has passed: it would be emitted at once
        throw new Error('consumer failed');
      },
    });
    await expect(ticker.done).rejects.toThrow('consumer failed');
    await sleep(20);
    expect(ticks).toEqual([B]);
    await expect(ticker.stop()).resolves.toBeUndefined();
  });

  test('bad options are refused with a message naming the option', ({ expect }) => {
    const signal = new AbortController().signal;
    const onTick = () => {};
    expect(() => startRealtimeTicker({ lengthMs: 0, onTick, signal })).toThrow(WeaverError);
    expect(() => startRealtimeTicker({ lengthMs: 0, onTick, signal })).toThrow(/lengthMs must be at least 1/);
    expect(() => startRealtimeTicker({ lengthMs: 1000, onTick, signal, spinMs: 1000 })).toThrow(/spinMs \(1000\) must be shorter than the bar/);
    expect(() => startRealtimeTicker({ lengthMs: 1000, onTick, signal, maxCatchUpBars: 0 })).toThrow(/maxCatchUpBars must be at least 1/);
    expect(() => startRealtimeTicker({ lengthMs: 1000, onTick, signal, startAfter: Number.NaN })).toThrow(/startAfter must be/);
    expect(() => startRealtimeTicker({ lengthMs: 1000, onTick, signal, now: () => Number.NaN })).toThrow(/now\(\) returned NaN, not epoch ms/);
  });
});
