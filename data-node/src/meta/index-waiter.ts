import { AbortedError } from "./backoff.ts";

// Lets callers await "the local image has applied through index N" (registration catch-up, read-your-
// writes after a proposal). The apply loop calls advance() after each applied entry.

export class IndexWaiter {
  private _current = 0;
  private waiters: { index: number; resolve: () => void }[] = [];

  get current(): number {
    return this._current;
  }

  advance(index: number): void {
    if (index <= this._current) return;
    this._current = index;
    const due = this.waiters.filter((w) => w.index <= index);
    this.waiters = this.waiters.filter((w) => w.index > index);
    for (const w of due) w.resolve();
  }

  waitFor(index: number, signal?: AbortSignal): Promise<void> {
    if (index <= this._current) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(new AbortedError());
    return new Promise((resolve, reject) => {
      const waiter = {
        index,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new AbortedError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }
}
