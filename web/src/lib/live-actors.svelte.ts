// GET /actors kept fresh for a component: refetched on ui.ActorState events and every `everyMs` (lag moves
// without events); an older answer never overwrites a newer one. Call it while a component initialises:
// its effect stops with the component.
import { api } from './api.ts';
import { every, refetchOn } from './refetch.ts';
import type { Actor } from './types.ts';

export interface LiveActors {
  readonly actors: Actor[] | null;
  readonly error: string | null;
  /** Read again now (after a command changed an actor). */
  reload(): Promise<void>;
}

export function liveActors(everyMs: number): LiveActors {
  const view = $state<{ actors: Actor[] | null; error: string | null; reload: () => Promise<void> }>({ actors: null, error: null, reload: () => load() });
  let seq = 0;
  async function load() {
    const mine = ++seq;
    try {
      const answer = await api<{ items: Actor[] }>('/actors');
      if (mine !== seq) return;
      view.actors = answer.items;
      view.error = null;
    } catch (e) {
      if (mine === seq) view.error = (e as Error).message;
    }
  }
  $effect(() => {
    void load();
    const stopEvents = refetchOn((e) => e.type === 'ui.ActorState', load);
    const stopTimer = every(everyMs, load);
    return () => {
      stopEvents();
      stopTimer();
    };
  });
  return view;
}
