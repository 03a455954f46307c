// The demo bar generator: the same seed gives the same bars, every bar is a consistent 1m bar on its
// boundary, the year ends where it says, and volume has the intraday U shape it promises.
import { describe, expect, it } from 'vitest';
import { WeaverError } from '../../protocol/errors.ts';
import { DEMO_DEFAULTS, DEMO_END_MS, DEMO_SYMBOLS, demoSymbols, generateDemoBars, volumeProfile } from '../../runtime/data/demo.ts';

const [ACME, GLOBEX, INITECH] = DEMO_SYMBOLS as [typeof DEMO_SYMBOLS[0], typeof DEMO_SYMBOLS[0], typeof DEMO_SYMBOLS[0]];

describe('generateDemoBars', () => {
  it('is deterministic for a seed and differs between seeds and symbols', () => {
    const a = generateDemoBars(GLOBEX, { seed: 7, days: 3 });
    const b = generateDemoBars(GLOBEX, { seed: 7, days: 3 });
    expect(b).toEqual(a);
    expect(generateDemoBars(GLOBEX, { seed: 8, days: 3 }).c).not.toEqual(a.c);
    expect(generateDemoBars(ACME, { seed: 7, days: 3 }).c).not.toEqual(a.c);
  });

  it('writes one year of 1m bars per symbol by default, the last starting 2025-12-31T23:59Z', () => {
    const bars = generateDemoBars(ACME);
    expect(DEMO_DEFAULTS).toEqual({ symbols: 3, seed: 1, days: 365 });
    expect(bars.t.length).toBe(525_600);
    expect(bars.t[0]).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(bars.t.at(-1)).toBe(DEMO_END_MS);
    expect(DEMO_END_MS).toBe(Date.parse('2025-12-31T23:59:00Z'));
  });

  it('makes consistent bars: aligned minutes, high and low around open and close, open = previous close, cents, integer volume', () => {
    for (const spec of [ACME, GLOBEX, INITECH]) {
      const { t, o, h, l, c, v } = generateDemoBars(spec, { seed: 3, days: 30 });
      expect(o[0]).toBe(spec.price);
      for (let i = 0; i < t.length; i++) {
        if (t[i]! % 60_000 !== 0) throw new Error(`bar ${i} starts at ${t[i]}, not on a minute`);
        if (i > 0 && t[i]! - t[i - 1]! !== 60_000) throw new Error(`bar ${i} is not one minute after bar ${i - 1}`);
        if (!(l[i]! <= Math.min(o[i]!, c[i]!) && h[i]! >= Math.max(o[i]!, c[i]!) && l[i]! > 0)) throw new Error(`bar ${i} is inconsistent: ${o[i]} ${h[i]} ${l[i]} ${c[i]}`);
        if (i > 0 && o[i] !== c[i - 1]) throw new Error(`bar ${i} opens at ${o[i]}, the previous closed at ${c[i - 1]}`);
        if (Math.round(c[i]! * 100) / 100 !== c[i] || !Number.isInteger(v[i]) || v[i]! < 0) throw new Error(`bar ${i}: close ${c[i]} or volume ${v[i]}`);
      }
    }
  });

  it('moves like its parameters: the wild symbol swings more than the calm one', () => {
    const sdOfReturns = (spec: typeof ACME) => {
      const { c } = generateDemoBars(spec, { seed: 1, days: 60 });
      const r = Array.from({ length: c.length - 1 }, (_, i) => Math.log(c[i + 1]! / c[i]!));
      const mean = r.reduce((s, x) => s + x, 0) / r.length;
      return Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / r.length);
    };
    const calm = sdOfReturns(ACME);
    const wild = sdOfReturns(INITECH);
    // Per-minute sd ≈ σ / √525,600: 0.25 → 0.034 %, 0.8 → 0.11 % (cent rounding adds a little).
    expect(calm).toBeGreaterThan(0.0002);
    expect(calm).toBeLessThan(0.0006);
    expect(wild / calm).toBeGreaterThan(2.5);
  });

  it('has a U-shaped intraday volume profile: busiest around midnight UTC, quietest around noon', () => {
    expect(volumeProfile(0)).toBeCloseTo(2.2);
    expect(volumeProfile(0.5)).toBeCloseTo(0.4);
    const { t, v } = generateDemoBars(GLOBEX, { seed: 1, days: 60 });
    const byHour = new Array<number>(24).fill(0);
    for (let i = 0; i < t.length; i++) byHour[new Date(t[i]!).getUTCHours()]! += v[i]!;
    const [midnight, noon, morning] = [(byHour[23]! + byHour[0]!) / 2, (byHour[11]! + byHour[12]!) / 2, byHour[6]!];
    expect(midnight / noon).toBeGreaterThan(3);
    expect(morning).toBeGreaterThan(noon);
    expect(morning).toBeLessThan(midnight);
    // The mean is the symbol's average volume per minute (within noise).
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    expect(mean / GLOBEX.volume).toBeGreaterThan(0.9);
    expect(mean / GLOBEX.volume).toBeLessThan(1.1);
  });

  it('generates the default 3 symbols × 525,600 bars in a few seconds', () => {
    const started = performance.now();
    for (const spec of demoSymbols()) generateDemoBars(spec);
    expect(performance.now() - started).toBeLessThan(10_000); // ~1 s here; generous for a loaded CI machine
  });
});

describe('demoSymbols', () => {
  it('refuses a bad number of symbols, days or seed', () => {
    expect(demoSymbols().map((s) => s.symbol)).toEqual(['DEMO_ACME', 'DEMO_GLOBEX', 'DEMO_INITECH']);
    for (const bad of [{ symbols: 0 }, { symbols: DEMO_SYMBOLS.length + 1 }, { days: 0 }, { days: 1.5 }, { seed: 0.5 }]) {
      expect(() => demoSymbols(bad), JSON.stringify(bad)).toThrow(WeaverError);
    }
  });
});
