// One log line per request: method, path (never the query: it may carry an SSE token), status, duration
// and correlation id. Headers are never logged, so neither is the API key. Probes log at debug.
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../../../runtime/log.ts';

const PROBES = new Set(['/healthz', '/readyz']);

export function requestLog(log: Logger): RequestHandler {
  return pinoHttp({
    logger: log,
    quietReqLogger: true,
    genReqId: (_req, res) => ((res as unknown as { locals?: { correlationId?: string } }).locals?.correlationId ?? ''),
    customAttributeKeys: { reqId: 'correlation_id', responseTime: 'ms' },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      err: (err: Error) => ({ type: err.name, message: err.message }),
    },
    wrapSerializers: false,
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (PROBES.has((req.url ?? '').split('?')[0]!)) return 'debug';
      return res.statusCode >= 400 ? 'warn' : 'info';
    },
    customSuccessMessage: (req, res, ms) => `${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${Math.round(ms)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode}`,
  }) as unknown as RequestHandler;
}
