// Retry pacing for the broker lifecycle loops: exponential growth from initialMs, capped at maxMs, with
// a random reduction of up to `jitter` (a fraction) so restarted brokers do not retry in lockstep.

export type BackoffOptions = { initialMs: number; maxMs: number; jitter: number };

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 50, maxMs: 2000, jitter: 0.5 };

// attempt counts failures so far, from 1.
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const base = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - opts.jitter * random()));
}

export class AbortedError extends Error {
  override name = "AbortError";
  constructor() {
    super("aborted");
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}

// The real-time sleep for the runtime to inject; resolves early (without throwing) when aborted.
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

// Awaits a wake-up from a waiter list. `register` stores `wake` and returns a function that removes it;
// an abort (before or while waiting) removes the waiter and rejects with AbortedError.
export function abortableWait(
  signal: AbortSignal | undefined,
  register: (wake: () => void) => () => void,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const wake = () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      unregister();
      reject(new AbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const unregister = register(wake);
  });
}
