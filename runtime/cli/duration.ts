// `--timeout 15s`: a number with a unit (ms, s, m); a bare number is seconds.
import { usageError } from './exit-codes.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m) throw usageError(`"${text}" is not a duration; write e.g. 15s, 500ms or 2m`);
  const ms = Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS];
  if (ms <= 0 || ms > 3_600_000) throw usageError(`--timeout must be above 0 and at most 1 hour, got "${text}"`);
  return ms;
}

export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
