// The gateway's one live reader of ui.* events: woken by the outbox NOTIFY (ui.* types only, with a
// polling backstop), it reads the next events behind the horizon and hands each to every subscriber, in
// log order. Subscribers (SSE sessions) filter and dedupe by cursor themselves; see events/sse-client.ts.
import type { DatabasePool } from 'slonik';
import { formatCursor, type Cursor } from '../../../protocol/index.ts';
import { createReaderPool } from '../../../runtime/eventlog/postgres/reader-pool.ts';
import { OutboxWakeups } from '../../../runtime/eventlog/postgres/wakeups.ts';
import type { WakeSignal } from '../../../runtime/eventlog/wake-signal.ts';
import type { Logger } from '../../../runtime/log.ts';
import { horizonCursor, readUiEvents, uiEventsHeldBack, type UiEvent, type UiFilter, type UiPage } from './read.ts';

export type UiListener = (event: UiEvent) => void;

const PAGE = 500;
const HELD_BACK_RETRY_MS = 2;

export class EventsHub {
  readonly #url: string;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #listeners = new Set<UiListener>();
  #db: DatabasePool | null = null;
  #wakeups: OutboxWakeups | null = null;
  #head: Cursor = { tx: 0n, position: 0n };
  #closed = false;
  #loop: Promise<void> | null = null;
  #signal: WakeSignal | null = null;

  constructor(url: string, log: Logger, pollMs = 500) {
    this.#url = url;
    this.#log = log;
    this.#pollMs = pollMs;
  }

  /** Starts at the horizon: events appended from now on are delivered live; earlier ones are read on request. */
  async start(): Promise<void> {
    this.#db = await createReaderPool(this.#url, 'gateway-events');
    this.#head = await horizonCursor(this.#db);
    this.#wakeups = new OutboxWakeups(this.#url, this.#log);
    const signal = this.#wakeups.signal(['ui.*']);
    this.#signal = signal;
    await this.#wakeups.start();
    this.#loop = (async () => {
      while (!this.#closed) {
        await signal.wait(this.#pollMs);
        if (this.#closed) break;
        try {
          for (;;) {
            const page = await readUiEvents(this.#db!, this.#head, PAGE);
            // Synchronous: no subscriber can join between an event and the head moving past it.
            for (const event of page.events) for (const listener of this.#listeners) listener(event);
            this.#head = page.last;
            if (page.events.length === PAGE && !this.#closed) continue;
            // Held back behind an open transaction: look again in 2 ms (its commit wakes nobody here).
            if (!this.#closed && (await uiEventsHeldBack(this.#db!, this.#head))) {
              await new Promise((r) => setTimeout(r, HELD_BACK_RETRY_MS));
              signal.wake();
            }
            break;
          }
        } catch (error) {
          if (!this.#closed) this.#log.warn({ err: (error as Error).message }, 'reading ui events failed; retrying');
          await new Promise((r) => setTimeout(r, 200));
          signal.wake();
        }
      }
    })();
  }

  /** The cursor of the last event handed to listeners: a new subscriber gets every event after it. */
  get head(): Cursor {
    return this.#head;
  }

  get headText(): string {
    return formatCursor(this.#head);
  }

  /** Listen from now on (synchronously with `head`: the first event heard comes after it). */
  subscribe(listener: UiListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get subscribers(): number {
    return this.#listeners.size;
  }

  /** Events after `after` (catch-up, REST tail), up to the horizon; may run ahead of the live feed (streams skip what they have sent). */
  async read(after: Cursor, limit: number, filter: UiFilter = {}): Promise<UiPage> {
    if (!this.#db) throw new Error('EventsHub.read before start()');
    return readUiEvents(this.#db, after, limit, filter);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#signal?.wake(); // the loop leaves at once instead of at its next poll
    await this.#wakeups?.close();
    await this.#loop?.catch(() => {});
    await this.#db?.end();
  }
}
