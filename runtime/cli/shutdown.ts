// Signal handling for `weaver start`: the first SIGINT/SIGTERM/SIGHUP (Ctrl-C, a service manager, a closed
// terminal) shuts down gracefully, a second one (an impatient Ctrl-C) exits at once. A shutdown that hangs past the deadline exits too, so a stuck worker or
// database can never keep a service manager waiting for ever.
import type { Logger } from '../log.ts';
import { EXIT } from './exit-codes.ts';

// Actors get 5 s each (in parallel) to finish their batch, then Postgres takes ~0.5 s for a fast shutdown.
const DEADLINE_MS = 15_000;

/** Calls `shutdown` once on the first signal; resolves `stopped` with the exit code it ended with. */
export function onShutdownSignal(log: Logger, shutdown: () => Promise<void>): { readonly stopped: Promise<number>; dispose(): void } {
  let resolve!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolve = r));
  let signalled = false;

  const handler = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn(`${signal} again: exiting now without a clean shutdown`);
      process.exit(EXIT.unexpected);
    }
    signalled = true;
    log.info(`${signal}: shutting down (send it again to force)`);
    const deadline = setTimeout(() => {
      log.error(`shutdown did not finish within ${DEADLINE_MS / 1000}s; exiting`);
      process.exit(EXIT.unexpected);
    }, DEADLINE_MS);
    deadline.unref();
    shutdown().then(
      () => {
        clearTimeout(deadline);
        resolve(EXIT.ok);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        log.error({ err: error }, 'shutdown failed');
        resolve(EXIT.unexpected);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  return {
    stopped,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      process.off('SIGHUP', handler);
    },
  };
}
