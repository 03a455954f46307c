// When to restart a crashed actor, and when to give up: OTP's one_for_one with an intensity limit, plus
// Akka-style exponential backoff with ±20% jitter so a crash-looping fleet does not restart in lockstep.
// Pure: time and randomness come in as arguments.

export interface RestartPolicyOptions {
  /** First backoff; doubles with every consecutive crash. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** ±fraction applied to each backoff (Akka's randomFactor 0.2). */
  readonly jitter: number;
  /** More than `intensity` restarts within `periodMs` and the actor is marked failed (OTP: 1 in 5 s by default). */
  readonly intensity: number;
  readonly periodMs: number;
  /** A run at least this long before a crash counts as stable: the backoff starts over from initialBackoffMs. */
  readonly stableAfterMs: number;
}

/** 100 ms doubling to a 30 s cap: 100, 200, 400 … 25 600, 30 000 (±20%), reset after 10 s of stable running. */
export type BackoffOptions = Pick<RestartPolicyOptions, 'initialBackoffMs' | 'maxBackoffMs' | 'jitter' | 'stableAfterMs'>;
export const DEFAULT_BACKOFF: BackoffOptions = { initialBackoffMs: 100, maxBackoffMs: 30_000, jitter: 0.2, stableAfterMs: 10_000 };

export interface RestartHistory {
  /** When the restarts still inside the intensity window happened (ms, any monotonic clock). */
  readonly restartsAt: readonly number[];
  /** Crashes since the last stable run: the exponent of the backoff. */
  readonly consecutive: number;
}

export const NO_RESTARTS: RestartHistory = { restartsAt: [], consecutive: 0 };

export interface Crash {
  readonly at: number;
  /** How long the crashed incarnation ran (0 when it failed to start). */
  readonly ranForMs: number;
  /**
   * Not the actor's fault (Postgres unreachable at start): backed off as usual but not counted towards the
   * intensity limit, so a database outage of a few seconds does not leave every actor `failed`.
   */
  readonly transient?: boolean;
}

export type RestartDecision =
  | { readonly action: 'restart'; readonly backoffMs: number; readonly history: RestartHistory }
  | { readonly action: 'fail'; readonly reason: string; readonly history: RestartHistory };

export function decideRestart(policy: RestartPolicyOptions, history: RestartHistory, crash: Crash, random: () => number = Math.random): RestartDecision {
  const recent = history.restartsAt.filter((t) => crash.at - t < policy.periodMs);
  if (recent.length >= policy.intensity && !crash.transient) {
    return {
      action: 'fail',
      reason: `${recent.length} restarts within ${policy.periodMs} ms reached the limit (${policy.intensity}); the actor stays down until restarted by command`,
      history: { restartsAt: recent, consecutive: history.consecutive + 1 },
    };
  }
  const consecutive = crash.ranForMs >= policy.stableAfterMs ? 0 : history.consecutive;
  return {
    action: 'restart',
    backoffMs: backoffFor(policy, consecutive, random),
    history: { restartsAt: crash.transient ? recent : [...recent, crash.at], consecutive: consecutive + 1 },
  };
}

/** The delay before restart number `consecutive` (0-based): min(cap, initial · 2^n), then ±jitter. */
export function backoffFor(policy: Pick<RestartPolicyOptions, 'initialBackoffMs' | 'maxBackoffMs' | 'jitter'>, consecutive: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(consecutive, 30));
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.round(base * factor);
}
