// How the CLI talks to a running Weaver: HTTP to its gateway (--url, WEAVER_URL, or WEAVER_HOST:WEAVER_PORT),
// with WEAVER_API_KEY in X-API-Key. A gateway error keeps its code and message (the error model) and maps
// to the CLI's exit codes; an unreachable gateway says how to start one.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ErrorModel } from '../../protocol/index.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';

export interface GatewayTarget {
  readonly url: string;
  readonly apiKey: string | null;
}

/** The target from --url / the configuration and WEAVER_API_KEY. */
export function gatewayTarget(urlOption: string | undefined, configUrl: string, apiKey: string | null): GatewayTarget {
  const url = (urlOption ?? configUrl).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new CliError(EXIT.usage, 'bad_usage', `--url ${url}: expected the gateway's address, e.g. http://127.0.0.1:7400`);
  return { url, apiKey };
}

function exitFor(status: number): ExitCode {
  if (status === 409) return EXIT.rejected;
  if (status === 503) return EXIT.notRunning;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.unexpected;
}

export class GatewayClient {
  readonly target: GatewayTarget;
  constructor(target: GatewayTarget) {
    this.target = target;
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', ...(this.target.apiKey ? { 'x-api-key': this.target.apiKey } : {}), ...extra };
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(this.target.url + path, init);
    } catch (error) {
      throw unreachable(this.target.url, error);
    }
  }

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await this.#fetch(path, {
      method,
      headers: this.#headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new CliError(EXIT.unexpected, 'bad_gateway_answer', `${this.target.url}${path} answered ${res.status} with something that is not JSON: is that a Weaver gateway?`);
    }
    if (!res.ok) {
      const e = json as Partial<ErrorModel> | null;
      const hint = res.status === 401 ? ' (set WEAVER_API_KEY to the gateway\'s key)' : '';
      throw new CliError(exitFor(res.status), e?.code ?? `http_${res.status}`, `${e?.message ?? `the gateway answered ${res.status}`}${hint}`, e?.details, e?.correlation_id ?? null);
    }
    return json as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** Is a gateway answering at the target? (A short /healthz probe; false on any failure.) */
  async alive(timeoutMs = 1500): Promise<boolean> {
    try {
      const res = await fetch(`${this.target.url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
      return res.ok;
    } catch {
      return false;
    }
  }

  /** Read an SSE stream until `signal` aborts or the server ends it; each message's data parsed as JSON. */
  async stream(path: string, onEvent: (data: unknown, id: string | undefined) => void, signal: AbortSignal, lastEventId?: string): Promise<void> {
    const res = await this.#fetch(path, { headers: this.#headers({ accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }), signal });
    if (!res.ok || !res.body) {
      const e = (await res.json().catch(() => null)) as Partial<ErrorModel> | null;
      throw new CliError(exitFor(res.status), e?.code ?? `http_${res.status}`, e?.message ?? `the gateway answered ${res.status}`, e?.details, e?.correlation_id ?? null);
    }
    const parser = createParser({ onEvent: (m: EventSourceMessage) => onEvent(JSON.parse(m.data), m.id) });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }
}

export function unreachable(url: string, cause: unknown): CliError {
  const why = (cause as { cause?: { code?: string } })?.cause?.code ?? (cause as Error)?.message ?? String(cause);
  return new CliError(EXIT.notRunning, 'gateway_unreachable', `no Weaver gateway answers at ${url} (${why}). Start Weaver with \`npx weaver start\`, or point --url / WEAVER_URL at it.`);
}
