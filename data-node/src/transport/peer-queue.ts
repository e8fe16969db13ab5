import type { OutgoingPayload } from "./types.ts";

interface Entry {
  item: OutgoingPayload;
  key: string | undefined;
}

// Messages waiting for one peer. Bounded by count and by payload bytes; when full, the oldest messages
// are dropped (Raft retransmits what matters) and counted. A message pushed with a coalesce key replaces
// a still-queued message of the same group and key (e.g. a heartbeat superseded by a newer one), which
// moves to the back so the peer sees messages in the order they were produced.
export class PeerQueue {
  private entries: (Entry | null)[] = [];
  private head = 0;
  private live = 0;
  private bytes = 0;
  // Position (index into entries) of the queued message for each group+key.
  private keyed = new Map<string, number>();
  dropped = 0;
  coalesced = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.live;
  }

  // Payload bytes queued now.
  get payloadBytes(): number {
    return this.bytes;
  }

  push(item: OutgoingPayload, coalesceKey?: string): void {
    let key: string | undefined;
    if (coalesceKey !== undefined) {
      key = `${item.group}\u0000${coalesceKey}`;
      const at = this.keyed.get(key);
      if (at !== undefined) {
        this.remove(at);
        this.coalesced++;
      }
      this.keyed.set(key, this.entries.length);
    }
    this.entries.push({ item, key });
    this.live++;
    this.bytes += item.payload.byteLength;
    while (this.live > 1 && (this.live > this.maxMessages || this.bytes > this.maxBytes)) {
      while (this.entries[this.head] === null) this.head++;
      this.remove(this.head);
      this.head++;
      this.dropped++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) this.compact();
  }

  takeAll(): OutgoingPayload[] {
    const out: OutgoingPayload[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e) out.push(e.item);
    }
    this.entries = [];
    this.head = 0;
    this.live = 0;
    this.bytes = 0;
    this.keyed.clear();
    return out;
  }

  private remove(at: number): void {
    const e = this.entries[at]!;
    this.entries[at] = null;
    this.live--;
    this.bytes -= e.item.payload.byteLength;
    if (e.key !== undefined && this.keyed.get(e.key) === at) this.keyed.delete(e.key);
  }

  // Drops the dead prefix so dropped messages do not pin memory; keyed positions shift with it.
  private compact(): void {
    const shift = this.head;
    this.entries = this.entries.slice(shift);
    this.head = 0;
    for (const [k, at] of this.keyed) this.keyed.set(k, at - shift);
  }
}
