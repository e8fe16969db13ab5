// Bounds the bytes a partition leader has proposed and not yet seen committed. Without it a fast
// producer runs the leader's log far ahead of the commit index: entries fall out of the log's tail
// cache before they are replicated and applied, and are read back from disk; memory and latency grow
// with the backlog. Admission is first come, first served, so produce requests keep their order.
export class ProposalWindow {
  private bytes = 0;
  private readonly queue: { need: number; admit: () => void }[] = [];

  constructor(readonly maxBytes: number) {}

  get inFlight(): number {
    return this.bytes;
  }

  // Reserves `need` bytes once the window has room (any room: a request larger than the window goes
  // alone). Resolves false, with nothing reserved, if that takes longer than timeoutMs.
  acquire(need: number, timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0 && this.bytes < this.maxBytes) {
      this.bytes += need;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter = {
        need,
        admit: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(waiter), 1);
        resolve(false);
        this.drain();
      }, timeoutMs);
      this.queue.push(waiter);
    });
  }

  release(n: number): void {
    this.bytes -= n;
    this.drain();
  }

  // Admits every waiter regardless of room: the leader changed, and each must look again.
  admitAll(): void {
    for (const w of this.queue.splice(0)) {
      this.bytes += w.need;
      w.admit();
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && this.bytes < this.maxBytes) {
      const w = this.queue.shift()!;
      this.bytes += w.need;
      w.admit();
    }
  }
}
