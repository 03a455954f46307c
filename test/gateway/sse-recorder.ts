// A minimal SSE test client over fetch: records every event (data parsed as JSON, id = the log cursor)
// and lets a test wait for one that matches.
import { createParser } from 'eventsource-parser';

export interface Recorded {
  readonly cursor: string;
  readonly id: string;
  readonly type: string;
  readonly run_id: string | null;
  readonly payload: unknown;
  readonly sseId: string | undefined;
}

export class SseRecorder {
  readonly events: Recorded[] = [];
  readonly connected: Promise<void>;
  readonly #abort = new AbortController();
  readonly #waiters = new Set<() => void>();

  constructor(url: string, headers: Record<string, string> = {}) {
    this.connected = (async () => {
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: this.#abort.signal });
      if (!res.ok || !res.body) throw new Error(`SSE ${url} answered ${res.status}: ${await res.text()}`);
      const parser = createParser({
        onEvent: (m) => {
          this.events.push({ ...(JSON.parse(m.data) as Omit<Recorded, 'sseId'>), sseId: m.id });
          for (const w of this.#waiters) w();
        },
      });
      const body = res.body;
      void (async () => {
        const decoder = new TextDecoder();
        try {
          for await (const chunk of body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
        } catch {
          // aborted
        }
      })();
    })();
  }

  waitFor(match: (e: Recorded) => boolean, timeoutMs: number): Promise<Recorded> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(match);
        if (found) {
          this.#waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no matching SSE event within ${timeoutMs} ms; got ${this.events.map((e) => e.type).join(', ')}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  close(): void {
    this.#abort.abort();
  }
}
