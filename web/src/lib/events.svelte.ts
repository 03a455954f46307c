// The one live connection of the dashboard: the gateway's SSE stream of thin ui.* events, read with fetch
// (so the API key travels in a header, never in a URL) and parsed with eventsource-parser. It resumes
// after the last event it saw with Last-Event-ID, so a dropped connection loses nothing; `stream.status`
// drives the banner. Pages listen() for typed events and refetch details over REST.
import { createParser } from 'eventsource-parser';
import type { PayloadOf } from '../../../protocol/registry.ts';
import type { UiActorState, UiBacktestProgress, UiFill, UiOrderStatus, UiRunStatus } from '../../../protocol/ui.ts';
import { headers } from './api.ts';
import { auth } from './auth.svelte.ts';

interface Wire<T extends string, P> {
  readonly cursor: string;
  readonly id: string;
  readonly type: T;
  readonly ts: string;
  readonly run_id: string | null;
  readonly payload: P;
}
export type UiEvent =
  | Wire<'ui.RunStatus', PayloadOf<typeof UiRunStatus>>
  | Wire<'ui.OrderStatus', PayloadOf<typeof UiOrderStatus>>
  | Wire<'ui.Fill', PayloadOf<typeof UiFill>>
  | Wire<'ui.ActorState', PayloadOf<typeof UiActorState>>
  | Wire<'ui.BacktestProgress', PayloadOf<typeof UiBacktestProgress>>;

export type StreamStatus = 'idle' | 'connecting' | 'open' | 'lost';

export const stream = $state({ status: 'idle' as StreamStatus, lastCursor: null as string | null, since: null as number | null });
/** The newest events first, for the live feed (at most RECENT). */
export const recent = $state({ events: [] as UiEvent[] });
const RECENT = 200;

type Listener = (event: UiEvent) => void;
const listeners = new Set<Listener>();
let running: AbortController | null = null;

/** Receive every ui event from now on; returns the cleanup. The connection runs while anyone listens. */
export function listen(fn: Listener): () => void {
  listeners.add(fn);
  if (!running) start();
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0) {
      running?.abort();
      running = null;
      stream.status = 'idle';
    }
  };
}

function deliver(event: UiEvent): void {
  stream.lastCursor = event.cursor;
  recent.events = [event, ...recent.events].slice(0, RECENT);
  for (const fn of listeners) {
    try {
      fn(event);
    } catch (error) {
      console.error('a ui event listener failed', error);
    }
  }
}

function start(): void {
  const abort = new AbortController();
  running = abort;
  void (async () => {
    let attempt = 0;
    while (!abort.signal.aborted) {
      stream.status = attempt === 0 ? 'connecting' : 'lost';
      try {
        const res = await fetch('/events/stream', { headers: headers({ accept: 'text/event-stream', ...(stream.lastCursor ? { 'last-event-id': stream.lastCursor } : {}) }), signal: abort.signal });
        if (res.status === 401) auth.needed = true;
        if (!res.ok || !res.body) throw new Error(`the event stream answered ${res.status}`);
        stream.status = 'open';
        stream.since = Date.now();
        attempt = 0;
        const parser = createParser({ onEvent: (m) => deliver(JSON.parse(m.data) as UiEvent) });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch {
        // dropped or refused: try again below
      }
      if (abort.signal.aborted) break;
      stream.status = 'lost';
      attempt += 1;
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** (attempt - 1), 5000)));
    }
  })();
}
