import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { EntryType } from "../../../data-node/src/raft/types.ts";
import type { FrameHeader } from "../../../data-node/src/storage/format.ts";
import { type CachedEntry, TailCache } from "../../../data-node/src/storage/tail-cache.ts";

function item(index: number, bytes: number): CachedEntry {
  const frame = Buffer.alloc(bytes);
  const header: FrameHeader = {
    size: bytes,
    baseOffset: index,
    nextOffset: index + 1,
    term: 1,
    isData: true,
    maxTimestamp: 0,
  };
  return { entry: { index, term: 1, type: EntryType.Normal, data: frame }, header, frame };
}

describe("TailCache", () => {
  it("keeps the newest entries within its byte budget", () => {
    const cache = new TailCache(1000);
    for (let i = 1; i <= 10; i++) cache.push(item(i, 300));
    expect(cache.firstIndex).toBe(8);
    expect(cache.size).toBe(3);
    expect(cache.get(7)).toBeUndefined();
    expect(cache.get(9)?.entry.index).toBe(9);
  });

  it("truncates the tail and drops a prefix", () => {
    const cache = new TailCache(1 << 20);
    for (let i = 1; i <= 10; i++) cache.push(item(i, 10));
    cache.truncateFrom(8);
    cache.dropBefore(3);
    expect(cache.firstIndex).toBe(3);
    expect(cache.size).toBe(5);
    expect(cache.at(4).entry.index).toBe(7);
  });

  it("finds the first entry whose offsets end after a given offset", () => {
    const cache = new TailCache(1 << 20);
    for (let i = 1; i <= 10; i++) cache.push(item(i, 10));
    // Entry i holds offset i (next offset i + 1).
    expect(cache.firstEndingAfter(0)).toBe(0);
    expect(cache.at(cache.firstEndingAfter(5)).entry.index).toBe(5);
    expect(cache.firstEndingAfter(11)).toBe(cache.size);
  });

  it("restarts when an entry does not follow the last one", () => {
    const cache = new TailCache(1 << 20);
    cache.push(item(1, 10));
    cache.push(item(5, 10));
    expect(cache.firstIndex).toBe(5);
    expect(cache.size).toBe(1);
  });

  // An entry's bytes are often a view into a large request or replication envelope: an evicted
  // entry must not keep that buffer alive.
  it("lets evicted entries be garbage-collected", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const cache = new TailCache(1000);
    // Made in a plain function so no local of this async test holds the entry.
    const pushFirst = (): WeakRef<Buffer> => {
      const first = item(1, 600);
      cache.push(first);
      return new WeakRef(first.frame);
    };
    const evicted = pushFirst();
    cache.push(item(2, 600));
    expect(cache.firstIndex).toBe(2);
    // A WeakRef's target stays alive until the current job ends.
    await new Promise((r) => setImmediate(r));
    gc();
    expect(evicted.deref()).toBeUndefined();
  });
});
