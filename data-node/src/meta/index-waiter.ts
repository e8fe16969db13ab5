import { abortableWait } from "./backoff.ts";

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
    return abortableWait(signal, (wake) => {
      const waiter = { index, resolve: wake };
      this.waiters.push(waiter);
      return () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
    });
  }
}
