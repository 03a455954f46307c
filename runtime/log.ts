import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Logs via pino: readable on a terminal, JSON lines otherwise (or when WEAVER_LOG_FORMAT=json).
 * pino-pretty runs as a synchronous stream, not a transport: a transport is a thread of its own,
 * and every actor worker would start one.
 */
export function createLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  const level = process.env.WEAVER_LOG_LEVEL ?? 'info';
  const format = process.env.WEAVER_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  // WEAVER_LOG_FD=2: commands whose stdout is their result (weaver backtest --json) log to stderr.
  const fd = process.env.WEAVER_LOG_FD === '2' ? 2 : 1;
  const options = { name, level, base: { ...bindings }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'pretty') {
    return pino(options, pretty({ sync: true, colorize: true, singleLine: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l', destination: fd }));
  }
  return pino(options, pino.destination({ fd, sync: false }));
}
