// Strategy actors (marvin:…, one per instance of a run) stop for good when their run ends; there are many
// of them, so the actors page hides them behind a toggle and the dashboard does not count them as down.
import type { Actor } from '#lib/types.ts';

export function isFinishedStrategy(actor: Pick<Actor, 'id' | 'kind' | 'state' | 'desired'>): boolean {
  return (actor.kind === 'marvin' || actor.id.startsWith('marvin:')) && actor.state === 'stopped' && actor.desired === 'stopped';
}
