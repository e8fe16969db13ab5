import type { Entry } from "../raft/types.ts";
import type { FrameHeader } from "./format.ts";

export interface CachedEntry {
  entry: Entry;
  header: FrameHeader;
  frame: Buffer; // the bytes on disk (for data entries, the batch Kafka fetch returns)
}

// The most recent entries, contiguous by index, bounded by bytes, so Raft's hot path and fetches of
// fresh data never touch the disk. Evicted slots are cleared at once: an entry's bytes are often a
// view into a much larger buffer (a request, a replication envelope), which it keeps alive.
export class TailCache {
  private items: (CachedEntry | undefined)[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get firstIndex(): number | null {
    return this.head < this.items.length ? this.items[this.head]!.entry.index : null;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  at(i: number): CachedEntry {
    return this.items[this.head + i]!;
  }

  // Position (for at()) of the first entry whose offsets end after `offset`, or size if none does:
  // offsets only grow along the cache, so a fetch at the tail need not walk the whole of it.
  firstEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).header.nextOffset <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(index: number): CachedEntry | undefined {
    const first = this.firstIndex;
    if (first === null || index < first) return undefined;
    return this.items[this.head + index - first];
  }

  push(item: CachedEntry): void {
    const first = this.firstIndex;
    if (first !== null && item.entry.index !== first + this.size) this.clear();
    this.items.push(item);
    this.bytes += item.frame.length;
    while (this.bytes > this.maxBytes && this.size > 0) this.evictFirst();
    this.compact();
  }

  truncateFrom(index: number): void {
    while (this.size > 0 && this.items[this.items.length - 1]!.entry.index >= index) {
      this.bytes -= this.items.pop()!.frame.length;
    }
  }

  dropBefore(index: number): void {
    while (this.size > 0 && this.items[this.head]!.entry.index < index) this.evictFirst();
    this.compact();
  }

  private evictFirst(): void {
    this.bytes -= this.items[this.head]!.frame.length;
    this.items[this.head] = undefined;
    this.head++;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}
