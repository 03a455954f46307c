// Hang detection. A worker answers health() only while its event loop turns, so a worker stuck in a
// synchronous loop goes silent; after `timeoutMs` without an answer it is declared hung (the caller
// terminates it, which counts as a crash). One probe is in flight at a time.

export interface HeartbeatOptions {
  readonly probe: () => Promise<unknown>;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly onHang: (silentMs: number) => void;
}

/** Starts probing; returns the function that stops it. A rejected probe (the worker exited) ends it quietly. */
export function startHeartbeat(options: HeartbeatOptions): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let watchdog: NodeJS.Timeout | null = null;

  const schedule = (ms: number) => {
    if (!stopped) timer = setTimeout(beat, ms);
  };

  function beat(): void {
    const sentAt = performance.now();
    let answered = false;
    watchdog = setTimeout(() => {
      if (stopped || answered) return;
      stopped = true;
      options.onHang(Math.round(performance.now() - sentAt));
    }, options.timeoutMs);
    options.probe().then(
      () => {
        answered = true;
        if (watchdog) clearTimeout(watchdog);
        schedule(options.intervalMs);
      },
      () => {
        answered = true;
        if (watchdog) clearTimeout(watchdog);
        stopped = true;
      },
    );
  }

  schedule(options.intervalMs);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (watchdog) clearTimeout(watchdog);
  };
}
