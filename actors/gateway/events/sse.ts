// One SSE client: every ui.* event after its cursor, exactly once, in log order. It listens to the hub
// first (buffering), then catches up from the database up to the horizon, then sends the buffer (skipping
// what the catch-up already sent) and goes live. A client that falls too far behind is closed: it
// reconnects with Last-Event-ID and catches up from the database instead of from our memory.
import type { Request, Response } from 'express';
import { createSession } from 'better-sse';
import { compareCursors, parseCursor, type Cursor } from '../../../protocol/index.ts';
import type { EventsHub } from './hub.ts';
import { matches, type UiEvent, type UiFilter } from './read.ts';

export interface StreamOptions {
  /** Resume after this cursor (Last-Event-ID or ?after=); null: from now on. */
  readonly after: Cursor | null;
  readonly filter: UiFilter;
  readonly keepAliveMs: number;
  /** Close a client with more than this many bytes unsent (it reconnects and catches up). */
  readonly maxBufferedBytes?: number;
}

const CATCH_UP_PAGE = 1000;

/** The wire form of a ui event: the SSE data (the id is the cursor too). */
export function wireEvent(e: UiEvent): Record<string, unknown> {
  return { cursor: e.cursor, id: e.id, type: e.type, ts: e.ts, run_id: e.run_id, payload: e.payload };
}

export async function serveStream(req: Request, res: Response, hub: EventsHub, opts: StreamOptions): Promise<void> {
  const maxBuffered = opts.maxBufferedBytes ?? 8 * 2 ** 20;
  let live = false;
  const pending: UiEvent[] = [];
  let closed = false;
  // Subscribe before anything is awaited (the headers go out in createSession): a fresh client's "present"
  // is the hub's head at this instant, and every event the hub hands out after it is buffered for it.
  let cursor: Cursor = opts.after ?? hub.head;
  const unsubscribe = hub.subscribe((e) => (live ? send(e) : pending.push(e)));
  const onClose = () => {
    closed = true;
    unsubscribe();
  };
  res.on('close', onClose);
  if (res.destroyed) onClose();

  const session = await createSession(req, res, {
    keepAlive: opts.keepAliveMs,
    retry: 2000,
    trustClientEventId: false,
    headers: { 'X-Accel-Buffering': 'no' },
  });
  function send(e: UiEvent): void {
    if (closed) return;
    const c = parseCursor(e.cursor)!;
    if (compareCursors(c, cursor) <= 0) return;
    cursor = c;
    if (!matches(e, opts.filter)) return;
    session.push(wireEvent(e), 'message', e.cursor);
    if (res.writableLength > maxBuffered) {
      closed = true;
      res.end();
    }
  }

  if (opts.after !== null) {
    for (;;) {
      if (closed) return;
      const page = await hub.read(cursor, CATCH_UP_PAGE, opts.filter);
      for (const e of page.events) send(e);
      if (page.events.length < CATCH_UP_PAGE) break;
    }
  }
  for (const e of pending) send(e);
  pending.length = 0;
  live = true;
}

/** Where a stream resumes: the Last-Event-ID header (a reconnect) wins over ?after=. */
export function resumeCursor(req: Request, after: string | undefined): string | undefined {
  const header = req.get('last-event-id');
  return header !== undefined && header !== '' ? header : after;
}
