// GET /openapi.json: the OpenAPI 3.0 document of every route, generated from the very valibot schemas
// that validate the requests (http/route.ts), so the document cannot drift from the code.
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { ErrorModel } from '../../../protocol/index.ts';
import { route, type RouteSpec } from '../http/route.ts';

type Json = Record<string, unknown>;

const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: 'malformed JSON body',
  401: 'API key missing or wrong',
  403: 'address not in the allow-list',
  404: 'not found',
  409: 'impossible in the current state',
  413: 'body too large',
  422: 'invalid parameters or body (details: one entry per field)',
  429: 'rate limited',
  500: 'internal error (look for the correlation id in the logs)',
  503: 'not ready',
};
const COMMON_ERRORS = [401, 403, 422, 429, 500];

function schemaOf(schema: v.GenericSchema): Json {
  return toJsonSchema(schema, { target: 'openapi-3.0', typeMode: 'input', errorMode: 'ignore' }) as Json;
}

/** `/runs/:id` → `/runs/{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

function parameters(spec: RouteSpec): Json[] {
  const out: Json[] = [];
  for (const where of ['params', 'query'] as const) {
    const schema = spec[where];
    if (!schema) continue;
    const json = schemaOf(schema) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = prop as Json & { description?: string };
      out.push({ name, in: where === 'params' ? 'path' : 'query', required: where === 'params' || (json.required ?? []).includes(name), schema: rest, ...(description ? { description } : {}) });
    }
  }
  return out;
}

export function buildOpenApi(routes: readonly RouteSpec[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const spec of routes) {
    const responses: Record<string, Json> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = { description: r.description, ...(r.schema || r.contentType ? { content: { [r.contentType ?? 'application/json']: r.schema ? { schema: schemaOf(r.schema) } : {} } } : {}) };
    }
    for (const status of [...(spec.body ? [400, 413] : []), ...(spec.errors ?? []), ...(spec.public ? [] : COMMON_ERRORS)]) {
      responses[String(status)] ??= { description: ERROR_TEXT[status] ?? 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    (paths[openApiPath(spec.path)] ??= {})[spec.method] = {
      tags: [spec.tag],
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      operationId: `${spec.method}${openApiPath(spec.path).replace(/[{}]/g, '').replace(/[/.-]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
      parameters: parameters(spec),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(spec.body) } } } } : {}),
      responses,
      ...(spec.public ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Weaver gateway',
      version: '1',
      description: 'REST, SSE and REST tail of Weaver. Errors are {code, message, details, correlation_id}. Timestamps are UTC ISO-8601 with a zone.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: { Error: schemaOf(ErrorModel) },
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
    },
    security: [{ apiKey: [] }],
    paths,
  };
}

export function openApiRoutes(routes: readonly RouteSpec[]): RouteSpec[] {
  let doc: Json | null = null;
  const self: RouteSpec = route({
    method: 'get',
    path: '/openapi.json',
    tag: 'meta',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.0' } },
    handle: (): Json => (doc ??= buildOpenApi([...routes, self])),
  });
  return [self];
}
