// How the dashboard writes times and numbers: times stored in UTC, shown in the browser's zone; prices and
// money with sensible precision; n/a for what is missing.
const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' });

/** An ISO timestamp (UTC) in the browser's zone. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateOnly.format(d);
}

/** A number with `digits` decimals and grouping; '—' for null, NaN or undefined. */
export function num(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A price: 2 decimals above 1, more below (crypto, penny stocks). */
export function price(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return num(value, Math.abs(value) >= 1 ? 2 : 6);
}

export function pct(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${num(value * 100, digits)} %`;
}

/** A statistic from the results (a number or 'n/a'). */
export function stat(value: unknown): string {
  if (typeof value === 'number') return num(value, Math.abs(value) >= 100 ? 0 : 2);
  if (value === null || value === undefined) return 'n/a';
  return String(value);
}

/** The first 8 characters of an id (UUIDv7s start with the time, the tail tells them apart). */
export function shortId(id: string): string {
  return id.length > 13 ? `…${id.slice(-8)}` : id;
}
