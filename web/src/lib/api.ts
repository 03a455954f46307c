// Every call to the gateway: JSON in and out, the API key in X-API-Key when there is one, and the
// gateway's error model ({code, message, details, correlation_id}) as an ApiError to show in place.
import type { ErrorModel } from '../../../protocol/errors.ts';
import { auth } from './auth.svelte.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly correlationId: string | null;
  constructor(status: number, model: Partial<ErrorModel>) {
    super(model.message ?? `the gateway answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = model.code ?? `http_${status}`;
    this.details = model.details ?? null;
    this.correlationId = model.correlation_id ?? null;
  }
  /** Per-field messages of a 422: path → message. */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) for (const d of this.details as { path?: string; message?: string }[]) if (d.path) out[d.path] = d.message ?? '';
    return out;
  }
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { accept: 'application/json', ...(auth.key ? { 'x-api-key': auth.key } : {}), ...extra };
}

export async function api<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal; fetch?: typeof fetch } = {}): Promise<T> {
  const f = init.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(path, {
      method: init.method ?? 'GET',
      headers: headers(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, { code: 'unreachable', message: 'Weaver does not answer: is it running? (npm start)' });
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (!res.ok) {
    if (res.status === 401) auth.needed = true;
    throw new ApiError(res.status, (body ?? {}) as Partial<ErrorModel>);
  }
  return body as T;
}

/** A query string from the defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
