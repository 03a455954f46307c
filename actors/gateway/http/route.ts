// A route is declared once: method, path, the valibot schemas of its params, query and body, and its
// responses. The same declaration validates each request (422 with per-field details) and produces the
// OpenAPI document (routes/openapi.ts), so the two cannot drift apart.
import type { Request, Response, Router } from 'express';
import * as v from 'valibot';
import { issuesToDetails } from '../../../protocol/index.ts';
import { HttpError } from './errors.ts';

type Schema<T = unknown> = v.GenericSchema<unknown, T>;

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: Schema;
  /** Default application/json. */
  readonly contentType?: string;
}

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

/** What a handler returns when the answer is not a plain 200 with a JSON body. */
export class Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'get' | 'post';
  /** Express syntax: `/runs/:id`. */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly params?: Schema<P>;
  readonly query?: Schema<Q>;
  readonly body?: Schema<B>;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Error statuses this route answers besides the ones every route may (401, 403, 422, 429, 500). */
  readonly errors?: readonly number[];
  /** Open without the API key (only /healthz). */
  readonly public?: boolean;
  /** The answer: a value (200 JSON), a Reply, or undefined once the handler has answered itself (SSE). */
  readonly handle: (input: RouteInput<P, Q, B>, req: Request, res: Response) => unknown;
}

/** Declare a route (typed by its schemas). */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

function check<T>(schema: Schema<T> | undefined, value: unknown, where: 'params' | 'query' | 'body'): T {
  if (!schema) return undefined as T;
  const parsed = v.safeParse(schema, value);
  if (parsed.success) return parsed.output;
  const details = issuesToDetails(parsed.issues).map((d) => ({ path: d.path ? `${where}.${d.path}` : where, message: d.message }));
  throw new HttpError(422, 'invalid_request', `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}

export function mountRoutes(router: Router, routes: readonly RouteSpec[]): void {
  for (const spec of routes) {
    router[spec.method](spec.path, async (req: Request, res: Response) => {
      const params = check(spec.params, req.params, 'params');
      const query = check(spec.query, { ...req.query }, 'query');
      if (!spec.body && req.body !== undefined && Object.keys(req.body as object).length > 0) {
        throw new HttpError(422, 'invalid_request', `${spec.method.toUpperCase()} ${spec.path} takes no body`, [{ path: 'body', message: 'must be empty' }]);
      }
      const body = check(spec.body, req.body ?? undefined, 'body');
      const result = await spec.handle({ params, query, body }, req, res);
      if (res.headersSent) return;
      if (result instanceof Reply) {
        for (const [k, val] of Object.entries(result.headers)) res.setHeader(k, val);
        res.status(result.status);
        if (result.body === undefined) res.end();
        else res.json(result.body);
        return;
      }
      res.status(200).json(result);
    });
  }
}
