// A small SSE client for tests, over fetch and eventsource-parser, that behaves like EventSource: it
// records every event's id and data and every comment, and when its connection ends (dropped by the test
// or by the server) it reconnects with Last-Event-ID = the id of the last event it processed. An event
// that arrives after the test dropped the connection is not processed, as in a real client.
import { createParser } from 'eventsource-parser';

export interface SseEvent {
  readonly id: string;
  readonly event: string | undefined;
  readonly data: string;
  /** Which connection (1, 2, …) delivered it. */
  readonly connection: number;
}

export interface SseClientOptions {
  readonly headers?: Record<string, string>;
  /** Resume after this id on the first connection too. */
  readonly lastEventId?: string;
  /** Called after each event is recorded; true drops the connection right there (the client reconnects). */
  readonly dropAfter?: (event: SseEvent, count: number) => boolean;
}

export class SseClient {
  readonly url: string;
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** Status of every connection attempt, in order. */
  readonly statuses: number[] = [];
  lastEventId: string | undefined;
  connections = 0;
  #opts: SseClientOptions;
  #abort: AbortController | null = null;
  #stopped = false;
  #held: Promise<void> | null = null;
  #release: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #connected: (() => void) | null = null;
  #failure: Error | null = null;

  constructor(url: string, opts: SseClientOptions = {}) {
    this.url = url;
    this.#opts = opts;
    this.lastEventId = opts.lastEventId;
  }

  /** Connects and resolves once the first connection's headers have arrived (it has subscribed). */
  start(): Promise<void> {
    const first = new Promise<void>((resolve) => (this.#connected = resolve));
    this.#loop = this.#run();
    return Promise.race([first, this.#loop.then(() => Promise.reject(this.#failure ?? new Error(`SSE stream ended before it connected (status ${this.statuses.at(-1)})`)))]);
  }

  /** The data of every event, parsed as JSON. */
  data<T = Record<string, unknown>>(): T[] {
    return this.events.map((e) => JSON.parse(e.data) as T);
  }

  /** Drop the current connection and stay away until `resume()`; resolves once it is down. */
  hold(): void {
    this.#held ??= new Promise((resolve) => (this.#release = resolve));
    this.#abort?.abort();
  }

  /** Reconnect after `hold()`; resolves once the new connection's headers have arrived. */
  resume(): Promise<void> {
    const connected = new Promise<void>((resolve) => (this.#connected = resolve));
    const release = this.#release;
    this.#held = null;
    this.#release = null;
    release?.();
    return connected;
  }

  async waitFor(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (this.#failure) throw this.#failure;
      if (Date.now() > deadline) throw new Error(`SSE client got ${this.events.length} of ${count} events within ${timeoutMs} ms (${this.connections} connections, statuses ${this.statuses.join(',')})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    this.#release?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      if (this.#held) await this.#held;
      if (this.#stopped) break;
      const ac = new AbortController();
      this.#abort = ac;
      const connection = ++this.connections;
      const headers: Record<string, string> = { accept: 'text/event-stream', ...this.#opts.headers };
      if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
      let dropped = false;
      try {
        const res = await fetch(this.url, { headers, signal: ac.signal });
        this.statuses.push(res.status);
        if (res.status !== 200 || !res.body) {
          this.#failure = new Error(`SSE connection answered ${res.status}: ${await res.text()}`);
          return;
        }
        this.#connected?.();
        this.#connected = null;
        const parser = createParser({
          onEvent: (m) => {
            if (dropped) return; // arrived after we dropped: never processed
            const event: SseEvent = { id: m.id ?? '', event: m.event, data: m.data, connection };
            this.events.push(event);
            if (m.id !== undefined) this.lastEventId = m.id;
            if (this.#opts.dropAfter?.(event, this.events.length)) {
              dropped = true;
              ac.abort();
            }
          },
          onComment: (c) => {
            if (!dropped) this.comments.push(c);
          },
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch (error) {
        if (!ac.signal.aborted) {
          // the server cut the stream (e.g. it is closing): reconnect like EventSource would
          if (this.#stopped) break;
          await new Promise((r) => setTimeout(r, 20));
          void error;
        }
      }
    }
  }
}
