import type { ReadState } from "./types.ts";

interface ReadRequest {
  index: number;
  context: Uint8Array;
  acks: Set<number>;
}

function keyOf(ctx: Uint8Array): string {
  let s = "";
  for (const b of ctx) s += String.fromCharCode(b);
  return s;
}

/**
 * Pending ReadIndex requests on a leader. A request records the commit index when it arrived and
 * becomes ready once a quorum acknowledged a heartbeat carrying its context, which proves the node
 * was still leader after the request arrived. Requests complete in arrival order.
 */
export class ReadOnly {
  private readonly pending = new Map<string, ReadRequest>();
  private queue: string[] = [];

  add(index: number, context: Uint8Array): void {
    const key = keyOf(context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, context, acks: new Set() });
    this.queue.push(key);
  }

  /** Record that `from` acknowledged ctx; returns the set of acks so far, if ctx is pending. */
  recvAck(from: number, context: Uint8Array): Set<number> | undefined {
    const r = this.pending.get(keyOf(context));
    if (!r) return undefined;
    r.acks.add(from);
    return r.acks;
  }

  /** Complete ctx and every request queued before it. */
  advance(context: Uint8Array): ReadState[] {
    const key = keyOf(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    const out: ReadState[] = [];
    for (const k of done) {
      const r = this.pending.get(k)!;
      this.pending.delete(k);
      out.push({ index: r.index, context: r.context });
    }
    return out;
  }

  lastPendingContext(): Uint8Array | undefined {
    if (this.queue.length === 0) return undefined;
    return this.pending.get(this.queue[this.queue.length - 1])!.context;
  }
}
