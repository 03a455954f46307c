import createSubscriber, { type Subscriber } from 'pg-listen';
import type { Logger } from 'pino';
import { typeMatches } from '../types.ts';
import { WakeSignal } from '../wake-signal.ts';

export const OUTBOX_CHANNEL = 'weaver_outbox';

/**
 * The LISTEN side: one session connection (pg-listen) per event log, waking every local consumer on a
 * NOTIFY and after every (re)connect, since notifications sent while disconnected are gone. pg-listen
 * gives up after 3 s by default and its first connect() rejects instead of retrying: here it never
 * gives up (backoff 100, 200, 400 … 5000 ms).
 */
export class OutboxWakeups {
  readonly #url: string;
  readonly #log: Logger | undefined;
  /** Each local consumer's signal, with the type patterns it reads. */
  readonly #signals = new Map<WakeSignal, readonly string[]>();
  #subscriber: Subscriber | null = null;
  #closed = false;
  #connected!: Promise<void>;

  constructor(url: string, log?: Logger) {
    this.#url = url;
    this.#log = log;
  }

  /** Starts connecting; resolves once LISTEN is active the first time. */
  start(): Promise<void> {
    this.#connected = this.#connectUntilUp();
    return this.#connected;
  }

  /** A consumer's wake-up; `patterns` (its types) let a NOTIFY about other types pass it by. */
  signal(patterns: readonly string[] = ['*']): WakeSignal {
    const s = new WakeSignal();
    this.#signals.set(s, patterns);
    return s;
  }

  release(s: WakeSignal): void {
    this.#signals.delete(s);
  }

  wakeAll(): void {
    for (const s of this.#signals.keys()) s.wake();
  }

  /** A NOTIFY's payload: the types appended, comma-separated; empty wakes everyone. */
  wakeFor(payload: string | undefined): void {
    if (!payload) return this.wakeAll();
    const appended = payload.split(',');
    for (const [s, patterns] of this.#signals) if (appended.some((t) => typeMatches(t, patterns))) s.wake();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const sub = this.#subscriber;
    this.#subscriber = null;
    await sub?.close().catch(() => {});
  }

  async #connectUntilUp(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt++) {
      const sub = createSubscriber(
        { connectionString: this.#url },
        { retryTimeout: Infinity, retryLimit: Infinity, retryInterval: (n) => Math.min(100 * 2 ** n, 5000), paranoidChecking: 10_000, parse: (text: string) => text },
      );
      sub.events.on('notification', (n: { payload?: unknown }) => this.wakeFor(typeof n.payload === 'string' ? n.payload : undefined));
      sub.events.on('connected', () => this.wakeAll());
      sub.events.on('reconnect', (n) => this.#log?.debug({ attempt: n }, 'LISTEN connection lost, reconnecting'));
      sub.events.on('error', (error) => this.#log?.warn({ err: error.message }, 'LISTEN connection error'));
      try {
        await sub.connect();
        await sub.listenTo(OUTBOX_CHANNEL);
        if (this.#closed) {
          await sub.close();
          return;
        }
        this.#subscriber = sub;
        this.wakeAll(); // catch up: LISTEN is active now, read from the stored offsets
        return;
      } catch (error) {
        await sub.close().catch(() => {});
        const ms = Math.min(100 * 2 ** attempt, 5000);
        this.#log?.warn({ err: (error as Error).message, retryInMs: ms }, 'cannot LISTEN yet; retrying');
        await new Promise((r) => setTimeout(r, ms));
      }
    }
  }
}
