interface Item {
  at: number;
  seq: number;
  run: () => void;
}

/** Virtual-time event queue: a binary heap ordered by (time, insertion order). */
export class EventQueue {
  private heap: Item[] = [];
  private seq = 0;
  now = 0;

  schedule(delay: number, run: () => void): void {
    this.push({ at: this.now + Math.max(0, delay), seq: this.seq++, run });
  }

  /** Run events until the queue is empty or the next one is after `until`. */
  runUntil(until: number, stop: () => boolean): void {
    while (this.heap.length > 0 && this.heap[0].at <= until) {
      const it = this.pop();
      this.now = it.at;
      it.run();
      if (stop()) return;
    }
    this.now = Math.max(this.now, until);
  }

  private less(a: Item, b: Item): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(it: Item): void {
    const h = this.heap;
    h.push(it);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Item {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
