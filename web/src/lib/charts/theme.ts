// How the dashboard's charts (lightweight-charts) look and read: colours from the theme's CSS variables
// (so they follow light/dark), times on the axes and in the crosshair in the browser's zone, and a hook to
// re-colour a chart when the system theme flips. Shared by the run page and the backtests comparison.
import type { ChartOptions, DeepPartial, Time } from 'lightweight-charts';

/** A CSS variable of the document root, e.g. cssVar('--fg'). */
export function cssVar(name: string, fallback = '#888888'): string {
  if (typeof document === 'undefined') return fallback;
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export function isDark(): boolean {
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches;
}

/** Call fn whenever the system switches between light and dark; returns the cleanup. */
export function onThemeChange(fn: () => void): () => void {
  if (typeof matchMedia === 'undefined') return () => {};
  const query = matchMedia('(prefers-color-scheme: dark)');
  query.addEventListener('change', fn);
  return () => query.removeEventListener('change', fn);
}

/** Distinct line colours for overlaid series, readable on the theme's background (light and dark sets). */
const LIGHT_SERIES = ['#1f5fbf', '#b35c00', '#137333', '#8e24aa', '#b3261e', '#00796b'];
const DARK_SERIES = ['#7fb0ff', '#ffb74d', '#5fd38a', '#ce93d8', '#ff8a80', '#4dd0c4'];
export function seriesColor(i: number): string {
  const set = isDark() ? DARK_SERIES : LIGHT_SERIES;
  return set[i % set.length]!;
}

// Times are UTC epoch seconds on the chart; people read them in their own zone.
const fullTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
const tickYear = new Intl.DateTimeFormat(undefined, { year: 'numeric' });
const tickMonth = new Intl.DateTimeFormat(undefined, { month: 'short' });
const tickDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const tickTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const tickSeconds = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const tickDayTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric' });

function dateOf(time: Time): Date {
  if (typeof time === 'number') return new Date(time * 1000);
  if (typeof time === 'string') return new Date(time);
  return new Date(Date.UTC(time.year, time.month - 1, time.day));
}

/** Epoch milliseconds (or an ISO string) as the chart's time: whole UTC seconds. */
export function chartTime(ms: number | string): Time {
  const n = typeof ms === 'number' ? ms : Date.parse(ms);
  return Math.floor(n / 1000) as Time;
}

/** The options every chart shares, from the theme as it is now (call again after onThemeChange). */
export function themedOptions(): DeepPartial<ChartOptions> {
  const fg = cssVar('--fg', '#1b1f24');
  const muted = cssVar('--muted', '#5b6470');
  const border = cssVar('--border', '#d9dde3');
  return {
    autoSize: true,
    layout: {
      background: { color: cssVar('--bg', '#ffffff') },
      textColor: fg,
      fontFamily: getComputedStyle(document.documentElement).fontFamily,
      // The attribution the licence asks for is written under each chart as a plain link instead:
      // a focusable logo inside a role="img" chart would be an accessibility fault.
      attributionLogo: false,
      panes: { separatorColor: border, separatorHoverColor: muted },
    },
    grid: { vertLines: { color: border }, horzLines: { color: border } },
    rightPriceScale: { borderColor: border },
    timeScale: {
      borderColor: border,
      timeVisible: true,
      secondsVisible: false,
      tickMarkFormatter: (time: Time, type: number) => {
        const d = dateOf(time);
        // TickMarkType: 0 year, 1 month, 2 day of month, 3 time, 4 time with seconds. The chart puts the
        // year, month and day marks where the UTC day changes; away from UTC that is not a local midnight,
        // so there such a mark says its local time too rather than pass for the start of a day.
        if (type <= 2 && d.getTimezoneOffset() !== 0 && (d.getHours() !== 0 || d.getMinutes() !== 0)) return tickDayTime.format(d);
        return [tickYear, tickMonth, tickDay, tickTime, tickSeconds][type]?.format(d) ?? fullTime.format(d);
      },
    },
    crosshair: { vertLine: { labelBackgroundColor: muted }, horzLine: { labelBackgroundColor: muted } },
    localization: { timeFormatter: (time: Time) => fullTime.format(dateOf(time)) },
  };
}

/** A #rgb or #rrggbb colour with an alpha, as rgba() (what the chart's gradients take); others as they are. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return color;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
