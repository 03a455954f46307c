// The gateway's one error shape, {code, message, details, correlation_id}, with the HTTP status that fits.
// Domain errors (WeaverError) keep their code; the status comes from it. Nothing else leaks: an unexpected
// error answers 500 "internal" with the correlation id to look for in the logs, never its stack.
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { WeaverError, type ErrorModel } from '../../../protocol/index.ts';
import type { Logger } from '../../../runtime/log.ts';
import { correlationIdOf } from './correlation.ts';

/** A WeaverError that knows its HTTP status. */
export class HttpError extends WeaverError {
  readonly status: number;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(code, message, details);
    this.name = 'HttpError';
    this.status = status;
  }
}

export const notFound = (what: string, details?: unknown) => new HttpError(404, 'not_found', what, details);
export const conflict = (code: string, message: string, details?: unknown) => new HttpError(409, code, message, details);
export const invalid = (message: string, details?: unknown) => new HttpError(422, 'invalid_request', message, details);

/** Domain codes that are not "your input is invalid" (422). */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  not_found: 404,
  unknown_run: 404,
  run_finished: 409,
  run_not_startable: 409,
  live_unavailable: 409,
  no_data: 422,
  missing_data: 422,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  payload_too_large: 413,
  unavailable: 503,
};

export function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof WeaverError) return STATUS_BY_CODE[error.code] ?? (error.code.startsWith('invalid') || error.code.startsWith('unknown') ? 422 : 500);
  return 500;
}

/** body-parser's errors (malformed JSON, too large, bad charset) as the error model. */
function fromBodyParser(error: { type?: string; status?: number; message?: string; limit?: number }): HttpError | null {
  switch (error.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'malformed_json', `the request body is not valid JSON: ${error.message ?? ''}`.trim());
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', `the request body is larger than ${error.limit ?? 'the limit'} bytes`, { limit: error.limit });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_encoding', 'send the body as UTF-8 JSON (Content-Type: application/json)');
    case 'request.aborted':
      return new HttpError(400, 'request_aborted', 'the client closed the request before its body arrived');
    default:
      return null;
  }
}

/**
 * Other client errors raised by express itself: an error with a 4xx status, such as the URIError of a path
 * that is not valid percent-encoding, keeps its status (never a 500). Its own message only where it is
 * meant for the client (http-errors' expose, or the router's decoding error).
 */
function fromExpress(error: { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown }): HttpError | null {
  const status = typeof error.status === 'number' ? error.status : error.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  const own = (error.expose === true || error instanceof URIError) && typeof error.message === 'string';
  const what = own ? (error.message as string).slice(0, 200) : (STATUS_CODES[status] ?? 'bad request').toLowerCase();
  return new HttpError(status, status === 400 ? 'bad_request' : 'client_error', `${what}; check the URL's percent-encoding and the request's headers`);
}

export function errorBody(error: unknown, correlationId: string): ErrorModel {
  if (error instanceof WeaverError) return { code: error.code, message: error.message, details: error.details ?? null, correlation_id: correlationId };
  return { code: 'internal', message: `the gateway failed to answer; look for correlation id ${correlationId} in the logs`, details: null, correlation_id: correlationId };
}

/** Unknown routes: 404 in the same shape. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(notFound(`no route ${req.method} ${req.path}; see GET /openapi.json`, { method: req.method, path: req.path }));
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (raw, req, res, _next) => {
    const error = (raw && typeof raw === 'object' && !(raw instanceof WeaverError) && (fromBodyParser(raw as never) ?? fromExpress(raw as never))) || raw;
    const status = statusOf(error);
    const correlationId = correlationIdOf(req, res);
    if (status >= 500) log.error({ err: error, correlation_id: correlationId, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(errorBody(error, correlationId));
  };
}
