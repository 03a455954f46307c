// The memory kernel's transport: a synchronous, in-process event bus. Every subscriber sees every event
// of its types in one global order, the events a handler emits go to the end of that order, and a
// subscriber added while an event is dispatched sees only what comes after it (as an actor that starts
// after a cursor). That is one of the interleavings the Postgres log can produce, without offsets,
// transactions or snapshots (nothing here outlives the process), so a strategy's round trip to the
// venue costs microseconds instead of milliseconds. Emitted events are checked as on the real log.
import type { Envelope, LoggedEvent } from '../../protocol/index.ts';
import { assertAppendable } from '../eventlog/appendable.ts';
import type { EventHandler, HandlerContext } from '../eventlog/types.ts';
import { typeMatches } from '../eventlog/types.ts';

interface Subscriber {
  readonly name: string;
  readonly types: readonly string[];
  readonly ctx: HandlerContext<unknown>;
  readonly handler: EventHandler<unknown>;
  active: boolean;
}

export interface Bus {
  subscribe<S>(name: string, types: readonly string[], state: S, handler: EventHandler<S>): { state(): S; stop(): void };
  publish(events: readonly Envelope[]): void;
  /** Dispatch until the queue is empty or `stop()` returns true. */
  drain(stop: () => boolean): Promise<void>;
  /** Events dispatched so far, in order. */
  readonly dispatched: number;
}

export function createBus(): Bus {
  const queue: LoggedEvent[] = [];
  const subscribers: Subscriber[] = [];
  let position = 0n;
  let head = 0;
  const append = (e: Envelope) => {
    assertAppendable(e);
    queue.push({ ...e, cursor: { tx: 1n, position: ++position } });
  };

  return {
    subscribe(name, types, state, handler) {
      const sub: Subscriber = { name, types, ctx: { state, emit: append, db: null }, handler: handler as EventHandler<unknown>, active: true };
      subscribers.push(sub);
      return { state: () => sub.ctx.state as typeof state, stop: () => void (sub.active = false) };
    },
    publish(events) {
      events.forEach(append);
    },
    async drain(stop) {
      while (head < queue.length && !stop()) {
        const event = queue[head++]!;
        // Subscribers added while this event is dispatched start after it.
        const n = subscribers.length;
        for (let i = 0; i < n; i++) {
          const s = subscribers[i]!;
          if (s.active && typeMatches(event.type, s.types)) await s.handler(event, s.ctx);
        }
        if (head > 4096) {
          queue.splice(0, head);
          head = 0;
        }
      }
    },
    get dispatched() {
      return Number(position);
    },
  };
}
