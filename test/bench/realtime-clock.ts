// npm run bench:clock [-- --ticks 30] [-- --json]
// The realtime ticker's tick error (actors/clock/realtime.ts): how late after its bar boundary each onTick
// is called, against the baseline's ±50 ms target (§12.2). Not a test: it prints numbers, it asserts
// nothing. measureTickError is also imported by other benchmarks.
//
// Method. One ticker on `lengthMs` bars for `ticks` ticks, reading the clock performance.timeOrigin +
// performance.now() (sub-millisecond; the production default Date.now() reaches a boundary at the same
// instant but reports whole ms). The error of a tick is its lateMs: that clock at the call minus the
// boundary. Run directly, it measures the default wait (setTimeout, then a setImmediate spin over the last
// DEFAULT_SPIN_MS) beside setTimeout alone (spinMs 0), each with the process's CPU time per tick, the
// price of the spin.
import { startRealtimeTicker } from '../../actors/clock/realtime.ts';

export interface TickError { p50: number; p99: number; max: number; ticks: number }

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Run a ticker for `ticks` boundaries (~ticks × lengthMs of wall time) and return its tick error in ms. */
export async function measureTickError({ lengthMs = 1000, ticks = 30, spinMs }: { lengthMs?: number; ticks?: number; spinMs?: number } = {}): Promise<TickError> {
  const late: number[] = [];
  const abort = new AbortController();
  const ticker = startRealtimeTicker({
    lengthMs,
    spinMs,
    signal: abort.signal,
    now: () => performance.timeOrigin + performance.now(),
    onTick: ({ lateMs }) => {
      late.push(lateMs);
      if (late.length === ticks) abort.abort();
    },
  });
  await ticker.done;
  const sorted = late.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]!, ticks: sorted.length };
}

async function measureWithCpu(options: { lengthMs: number; ticks: number; spinMs?: number }) {
  const before = process.cpuUsage();
  const error = await measureTickError(options);
  const cpu = process.cpuUsage(before);
  return { ...error, cpu_ms_per_tick: (cpu.user + cpu.system) / 1000 / error.ticks };
}

if (import.meta.main) {
  const json = process.argv.includes('--json');
  const at = process.argv.indexOf('--ticks');
  const ticks = at > 0 ? Number(process.argv[at + 1]) : 30;
  if (!Number.isInteger(ticks) || ticks < 1) {
    console.error(`--ticks must be a positive integer, got ${process.argv[at + 1]}; e.g. npm run bench:clock -- --ticks 10`);
    process.exit(2);
  }
  const lengthMs = 1000;
  if (!json) console.error(`measuring ${ticks} ticks on 1 s bars, twice (~${2 * ticks} s); Node ${process.version} …`);
  const spin = await measureWithCpu({ lengthMs, ticks });
  const timerOnly = await measureWithCpu({ lengthMs, ticks, spinMs: 0 });
  const round = (r: typeof spin) => Object.fromEntries(Object.entries(r).map(([k, val]) => [k, k === 'ticks' ? val : Number(val.toFixed(3))]));
  const figures = { length_ms: lengthMs, target_ms: 50, tick_error_ms: { spin: round(spin), timer_only: round(timerOnly) } };
  if (json) console.log(JSON.stringify(figures));
  else {
    const rows = [
      ['wait', 'ticks', 'p50 ms', 'p99 ms', 'max ms', 'cpu ms/tick'],
      ...([['setTimeout + spin (default)', spin], ['setTimeout alone (spinMs 0)', timerOnly]] as const).map(([name, r]) =>
        [name, String(r.ticks), r.p50.toFixed(3), r.p99.toFixed(3), r.max.toFixed(3), r.cpu_ms_per_tick.toFixed(2)]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
    console.log('target: every tick within ±50 ms of its boundary (baseline §12.2); ticks are never early');
  }
}
