// Live refetches for the dashboard's pages: a burst of ui.* events becomes one REST read. `coalesce(fn)`
// runs fn once the calls pause for `wait` ms, and at least every `maxWait` ms while they keep coming (a
// running backtest never pauses); `refetchOn` wires it to the one event stream for an $effect.
import { listen, type UiEvent } from '#lib/events.svelte.ts';

export interface Coalesced {
  (): void;
  cancel(): void;
}

export function coalesce(fn: () => void, wait = 200, maxWait = 1000): Coalesced {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let first: number | null = null;
  const run = () => {
    timer = null;
    first = null;
    fn();
  };
  const call = (() => {
    const now = Date.now();
    first ??= now;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, Math.max(0, Math.min(wait, first + maxWait - now)));
  }) as Coalesced;
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    first = null;
  };
  return call;
}

/** Calls `load` (coalesced) for every ui event `wanted` accepts; returns the cleanup, for an $effect. */
export function refetchOn(wanted: (event: UiEvent) => boolean, load: () => void, wait = 200, maxWait = 1000): () => void {
  const again = coalesce(load, wait, maxWait);
  const stop = listen((event) => {
    if (wanted(event)) again();
  });
  return () => {
    stop();
    again.cancel();
  };
}

/** Every `ms` while the page is visible (lag and leases change without events); returns the cleanup. */
export function every(ms: number, fn: () => void): () => void {
  const id = setInterval(() => {
    if (document.visibilityState !== 'hidden') fn();
  }, ms);
  return () => clearInterval(id);
}
