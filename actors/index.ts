// The actor kinds Weaver ships: kind → module URL (the module's default export is a defineActor(...)).
// Only URLs live here, no imports of actor code: the supervisor passes a URL to each worker, and loads a
// module in its own thread only to check a spawn's config. Actors never import each other.
export const ACTOR_KINDS: Readonly<Record<string, string>> = Object.freeze({
  pinger: new URL('./pinger/index.ts', import.meta.url).href,
  ponger: new URL('./ponger/index.ts', import.meta.url).href,
});
