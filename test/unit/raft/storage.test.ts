import { describe, expect, it } from "vitest";
import { CompactedError, MemoryStorage, UnavailableError } from "../../../data-node/src/raft/storage.ts";
import { type Entry, EntryType } from "../../../data-node/src/raft/types.ts";

const e = (index: number, term: number, size = 10): Entry => ({
  index,
  term,
  type: EntryType.Normal,
  data: new Uint8Array(size),
});

describe("MemoryStorage", () => {
  it("answers term for [firstIndex-1, lastIndex] and typed errors outside", () => {
    const s = new MemoryStorage();
    s.append([e(1, 1), e(2, 1), e(3, 2)]);
    expect([s.firstIndex(), s.lastIndex(), s.term(0), s.term(3)]).toEqual([1, 3, 0, 2]);
    expect(() => s.term(4)).toThrow(UnavailableError);
    s.createSnapshot(2, { voters: [1], learners: [] }, new Uint8Array());
    s.compact(2);
    expect([s.firstIndex(), s.lastIndex(), s.term(2)]).toEqual([3, 3, 1]);
    expect(() => s.term(1)).toThrow(CompactedError);
    expect(() => s.entries(2, 4, 1000)).toThrow(CompactedError);
  });

  it("entries() honours maxBytes but always returns at least one entry", () => {
    const s = new MemoryStorage();
    s.append([e(1, 1, 100), e(2, 1, 100), e(3, 1, 100)]);
    expect(s.entries(1, 4, 1).map((x) => x.index)).toEqual([1]);
    expect(s.entries(1, 4, 250).map((x) => x.index)).toEqual([1, 2]);
    expect(s.entries(1, 4, 10_000).map((x) => x.index)).toEqual([1, 2, 3]);
  });

  it("append truncates a conflicting suffix and refuses gaps", () => {
    const s = new MemoryStorage();
    s.append([e(1, 1), e(2, 1), e(3, 1)]);
    s.append([e(2, 2)]);
    expect([s.lastIndex(), s.term(2)]).toEqual([2, 2]);
    expect(() => s.append([e(5, 2)])).toThrow();
  });

  it("applySnapshot replaces the log; bootstrap puts the configuration in a snapshot at index 1", () => {
    const s = MemoryStorage.bootstrap([1, 2, 3]);
    expect(s.initialState()).toEqual({
      hardState: { term: 1, vote: 0, commit: 1 },
      confState: { voters: [1, 2, 3], learners: [] },
    });
    expect([s.firstIndex(), s.lastIndex()]).toEqual([2, 1]);
    s.applySnapshot({
      metadata: { index: 10, term: 3, confState: { voters: [1, 2], learners: [4] } },
      data: new Uint8Array(),
    });
    expect([s.firstIndex(), s.lastIndex(), s.term(10)]).toEqual([11, 10, 3]);
    expect(s.initialState().confState).toEqual({ voters: [1, 2], learners: [4] });
  });
});
