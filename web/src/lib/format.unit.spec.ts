// How the dashboard writes times and numbers: the browser's zone and locale, fixed precision, '—' or 'n/a'
// for what is missing. Expectations are built from the locale's own separators, so they hold in any locale.
import { describe, expect, it } from 'vitest';
import { day, num, pct, price, shortId, stat, time } from './format.ts';

const parts = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1 }).formatToParts(1234.5);
const GROUP = parts.find((p) => p.type === 'group')?.value ?? '';
const DEC = parts.find((p) => p.type === 'decimal')!.value;
const two = (n: number) => String(n).padStart(2, '0');

describe('time and day', () => {
  it('show a UTC timestamp in the browser zone', () => {
    const iso = '2025-06-01T12:34:56Z';
    const local = new Date(iso);
    const shown = time(iso);
    // The local wall-clock hour, minute and day (not the UTC ones, unless the zone is UTC).
    expect(shown).toContain(`${two(local.getMinutes())}`);
    expect(shown).toContain(String(local.getFullYear()));
    expect(shown).toContain(two(local.getDate()));
    const hour24 = two(local.getHours());
    const hour12 = two(local.getHours() % 12 === 0 ? 12 : local.getHours() % 12);
    expect(shown.includes(hour24) || shown.includes(hour12)).toBe(true);
    expect(day(iso)).toContain(two(local.getDate()));
    expect(day(iso)).not.toContain(two(local.getMinutes()) + DEC); // no time of day
  });

  it('write a dash for a missing time and give back what is not a time', () => {
    expect(time(null)).toBe('—');
    expect(time(undefined)).toBe('—');
    expect(time('')).toBe('—');
    expect(time('not a time')).toBe('not a time');
    expect(day(null)).toBe('—');
    expect(day('later')).toBe('later');
  });
});

describe('numbers', () => {
  it('num rounds to the digits asked, with the locale grouping', () => {
    expect(num(1234.567)).toBe(`1${GROUP}234${DEC}57`);
    expect(num(1234.567, 0)).toBe(`1${GROUP}235`);
    expect(num(0.5, 3)).toBe(`0${DEC}500`);
    expect(num(-2, 1)).toMatch(new RegExp(`^[-−]2\\${DEC}0$`));
  });

  it('num, price and pct write a dash for missing or non-finite values', () => {
    for (const f of [num, price, pct]) {
      expect(f(null)).toBe('—');
      expect(f(undefined)).toBe('—');
      expect(f(Number.NaN)).toBe('—');
      expect(f(Number.POSITIVE_INFINITY)).toBe('—');
    }
  });

  it('price keeps 2 decimals from 1 up and 6 below (penny stocks, crypto)', () => {
    expect(price(123.456)).toBe(`123${DEC}46`);
    expect(price(1)).toBe(`1${DEC}00`);
    expect(price(0.000123456)).toBe(`0${DEC}000123`);
  });

  it('pct turns a fraction into a percentage', () => {
    expect(pct(0.12345)).toBe(`12${DEC}35 %`);
    expect(pct(-0.5, 0)).toMatch(/^[-−]50 %$/);
  });

  it('stat: large numbers without decimals, small with two, n/a for nothing, text as it is', () => {
    expect(stat(1234.56)).toBe(`1${GROUP}235`);
    expect(stat(1.23456)).toBe(`1${DEC}23`);
    expect(stat(null)).toBe('n/a');
    expect(stat(undefined)).toBe('n/a');
    expect(stat('inf')).toBe('inf');
  });
});

describe('shortId', () => {
  it('keeps the tail of a long id (UUIDv7s differ at the end) and short ids whole', () => {
    expect(shortId('01970000-0000-7000-8000-0000abcd1234')).toBe('…abcd1234');
    expect(shortId('walle')).toBe('walle');
  });
});
