// Every request has a correlation id: the client's X-Correlation-Id when it is a sane token, else a new
// UUIDv7. It is echoed in the response header, in every error body and request log line, and becomes the
// corr_id of the commands the request appends (when it is a UUID), so a request can be followed into the log.
import type { Request, RequestHandler, Response } from 'express';
import { newId } from '../../../protocol/index.ts';

const SANE = /^[A-Za-z0-9._-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const correlation: RequestHandler = (req, res, next) => {
  const given = req.get('x-correlation-id');
  const id = given !== undefined && SANE.test(given) ? given : newId();
  res.locals.correlationId = id;
  res.setHeader('X-Correlation-Id', id);
  next();
};

export function correlationIdOf(_req: Request, res: Response): string {
  return (res.locals.correlationId as string | undefined) ?? newId();
}

/** The correlation id as an envelope corr_id (a UUID column), or undefined. */
export function corrIdFor(res: Response): string | undefined {
  const id = res.locals.correlationId as string | undefined;
  return id !== undefined && UUID.test(id) ? id.toLowerCase() : undefined;
}
