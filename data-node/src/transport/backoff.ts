// Reconnect delays: exponential growth from baseMs, capped at maxMs, with jitter so that peers that lost
// a node at the same moment do not retry in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  // Fraction of the delay that is randomized: 0.5 → a delay in [d/2, d].
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 5000, jitter: 0.5 };

// attempt counts failures since the last success, starting at 0. random returns values in [0, 1).
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp * (1 - policy.jitter * random()));
}
