// Following the gateway's thin ui.* events over SSE for the CLI (`weaver events tail --follow`, `weaver
// backtest` through a gateway). A dropped stream is reopened with Last-Event-ID set to the last cursor
// seen, so no event is missed or repeated; it ends only when the signal aborts (Ctrl-C) or the gateway
// refuses the request itself (bad filter, wrong key).
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ErrorModel } from '../../protocol/index.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { unreachable, type GatewayClient } from './gateway-client.ts';

/** One event as the gateway sends it (SSE data and the REST tail's items). */
export interface WireEvent {
  readonly cursor: string;
  readonly id: string;
  readonly type: string;
  readonly ts: string;
  readonly run_id: string | null;
  readonly payload: Record<string, unknown>;
}

export interface FollowOptions {
  readonly runId?: string | undefined;
  readonly types?: readonly string[] | undefined;
  /** Start after this cursor; undefined: with the events appended from now on. */
  readonly after?: string | undefined;
  readonly signal: AbortSignal;
  readonly onEvent: (event: WireEvent) => void;
  /** The stream is open (again): every event appended from now on will arrive. */
  readonly onConnected?: (again: boolean) => void;
  /** The stream dropped (or could not be reopened); it is retried after retryMs. */
  readonly onDrop?: (why: string) => void;
  readonly retryMs?: number;
}

/** Resolves when `signal` aborts; rejects when the gateway refuses the stream (or is unreachable at first). */
export async function followEvents(client: GatewayClient, opts: FollowOptions): Promise<void> {
  const query = new URLSearchParams();
  if (opts.runId) query.set('run_id', opts.runId);
  if (opts.types && opts.types.length > 0) query.set('types', opts.types.join(','));
  const url = `${client.target.url}/events/stream${query.size > 0 ? `?${query}` : ''}`;
  let last = opts.after;
  let opened = false;
  while (!opts.signal.aborted) {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'text/event-stream', ...(client.target.apiKey ? { 'x-api-key': client.target.apiKey } : {}), ...(last ? { 'last-event-id': last } : {}) },
        signal: opts.signal,
      });
    } catch (error) {
      if (opts.signal.aborted) return;
      if (!opened) throw unreachable(client.target.url, error);
      opts.onDrop?.(`cannot reach ${client.target.url}`);
      await sleep(opts.retryMs ?? 1000, opts.signal);
      continue;
    }
    if (!res.ok || !res.body) {
      const e = (await res.json().catch(() => null)) as Partial<ErrorModel> | null;
      // A gateway restarting answers 503 for a moment; anything else will not change by asking again.
      if (opened && res.status >= 500) {
        opts.onDrop?.(`the gateway answered ${res.status}`);
        await sleep(opts.retryMs ?? 1000, opts.signal);
        continue;
      }
      const exit = res.status === 503 ? EXIT.notRunning : res.status >= 400 && res.status < 500 ? EXIT.usage : EXIT.unexpected;
      throw new CliError(exit, e?.code ?? `http_${res.status}`, e?.message ?? `${url} answered ${res.status}`, e?.details, e?.correlation_id ?? null);
    }
    opts.onConnected?.(opened);
    opened = true;
    const parser = createParser({
      onEvent: (m: EventSourceMessage) => {
        const event = JSON.parse(m.data) as WireEvent;
        last = m.id ?? event.cursor;
        opts.onEvent(event);
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch (error) {
      if (opts.signal.aborted) return;
      opts.onDrop?.((error as Error).message);
      await sleep(opts.retryMs ?? 1000, opts.signal);
      continue;
    }
    if (opts.signal.aborted) return;
    opts.onDrop?.('the gateway closed the stream');
    await sleep(opts.retryMs ?? 1000, opts.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Ctrl-C (or SIGTERM) aborts the signal; a second one exits at once. */
export function interruptible(): { readonly signal: AbortSignal; abort(): void; dispose(): void } {
  const abort = new AbortController();
  const handler = () => {
    if (abort.signal.aborted) process.exit(EXIT.unexpected);
    abort.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: abort.signal,
    abort: () => abort.abort(),
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
