// Fetch requests long-polling for the high watermark to pass an offset. Woken by commits, or by a
// leadership change so the client hears NOT_LEADER instead of waiting out max_wait_ms.
export class HighWatermarkWaiters {
  private waiters = new Set<{ offset: number; wake: () => void }>();

  wait(offset: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const w = {
        offset,
        wake: () => {
          this.waiters.delete(w);
          signal.removeEventListener("abort", w.wake);
          resolve();
        },
      };
      this.waiters.add(w);
      signal.addEventListener("abort", w.wake, { once: true });
    });
  }

  advanced(hw: number): void {
    for (const w of this.waiters) if (hw > w.offset) w.wake();
  }

  wakeAll(): void {
    for (const w of this.waiters) w.wake();
  }
}
