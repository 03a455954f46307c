// The actor kinds Weaver ships: kind → module URL (the module's default export is a defineActor(...)).
// Only URLs live here, no imports of actor code: the supervisor passes a URL to each worker, and loads a
// module in its own thread only to check a spawn's config. Actors never import each other.
const here = (path: string) => new URL(path, import.meta.url).href;

export const ACTOR_KINDS: Readonly<Record<string, string>> = Object.freeze({
  router: here('./router/index.ts'),
  clock: here('./clock/index.ts'),
  greta: here('./greta/index.ts'),
  walle: here('./walle/index.ts'),
  marvin: here('./marvin/index.ts'),
  gateway: here('./gateway/index.ts'),
  pinger: here('./pinger/index.ts'),
  ponger: here('./ponger/index.ts'),
});

/** The actors a backtest needs running (one of each; Marvins are spawned per run). */
export const BACKTEST_ACTORS: readonly string[] = ['router', 'clock', 'greta', 'walle'];
