import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeConfChange,
  decodeConfState,
  decodeHardState,
  decodeMessage,
  decodeSnapshotMetadata,
  encodeConfChange,
  encodeConfState,
  encodeHardState,
  encodeMessage,
  encodeMessageParts,
  encodeSnapshotMetadata,
} from "../../../data-node/src/raft/codec.ts";
import { type Entry, type Message, MessageType } from "../../../data-node/src/raft/types.ts";

const u = fc.oneof(fc.nat(1000), fc.maxSafeNat());
const bytes = fc.uint8Array({ maxLength: 64 });
const confState = fc.record({
  voters: fc.array(fc.integer({ min: 1, max: 1 << 30 }), { maxLength: 7 }),
  learners: fc.array(fc.integer({ min: 1, max: 1 << 30 }), { maxLength: 3 }),
});
const entry: fc.Arbitrary<Entry> = fc.record({ index: u, term: u, type: fc.constantFrom(0, 1), data: bytes });
const meta = fc.record({ index: u, term: u, confState });
const message: fc.Arbitrary<Message> = fc
  .record({
    type: fc.integer({ min: 1, max: 10 }) as fc.Arbitrary<MessageType>,
    from: u,
    to: u,
    term: u,
    logTerm: u,
    index: u,
    entries: fc.array(entry, { maxLength: 5 }),
    commit: u,
    reject: fc.boolean(),
    rejectHint: u,
    context: bytes,
    snapshot: fc.option(fc.record({ metadata: meta, data: bytes }), { nil: undefined }),
  })
  .map((m) => {
    if (m.snapshot === undefined) delete (m as Partial<Message>).snapshot;
    return m;
  });

// Compare Uint8Array contents structurally regardless of view offsets.
const norm = (x: unknown): unknown =>
  JSON.parse(JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? { bytes: [...v] } : v)));

describe("raft codec", () => {
  it("round-trips messages", () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(norm(decodeMessage(encodeMessage(m)))).toEqual(norm(m));
      }),
      { numRuns: 300 },
    );
  });

  it("as parts, references large entry data and writes the same bytes as one buffer", () => {
    const big = fc.record({
      index: u,
      term: u,
      type: fc.constantFrom(0, 1),
      data: fc.oneof(bytes, fc.uint8Array({ minLength: 500, maxLength: 3000 })),
    });
    fc.assert(
      fc.property(message, fc.array(big, { maxLength: 6 }), (base, entries) => {
        const m = { ...base, entries };
        const parts = encodeMessageParts(m);
        const whole = parts instanceof Uint8Array ? parts : new Uint8Array(Buffer.concat(parts.chunks));
        if (!(parts instanceof Uint8Array)) {
          expect(parts.byteLength).toBe(whole.byteLength);
          for (const e of entries) if (e.data.byteLength >= 512) expect(parts.chunks).toContain(e.data);
        }
        expect([...whole]).toEqual([...encodeMessage(m)]);
        expect(norm(decodeMessage(whole))).toEqual(norm(m));
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips hard state, conf state, conf change and snapshot metadata", () => {
    fc.assert(
      fc.property(fc.record({ term: u, vote: u, commit: u }), confState, meta, (hs, cs, md) => {
        expect(decodeHardState(encodeHardState(hs))).toEqual(hs);
        expect(decodeConfState(encodeConfState(cs))).toEqual(cs);
        expect(decodeSnapshotMetadata(encodeSnapshotMetadata(md))).toEqual(md);
        for (const type of [0, 1, 2])
          expect(decodeConfChange(encodeConfChange({ type, nodeId: cs.voters[0] ?? 7 }))).toEqual({
            type,
            nodeId: cs.voters[0] ?? 7,
          });
      }),
    );
  });

  it("decodes entry data as views into the input buffer (no copy)", () => {
    const data = new Uint8Array(1000).fill(7);
    const buf = encodeMessage({
      type: MessageType.App,
      from: 1,
      to: 2,
      term: 3,
      logTerm: 3,
      index: 4,
      entries: [{ index: 5, term: 3, type: 0, data }],
      commit: 4,
      reject: false,
      rejectHint: 0,
      context: new Uint8Array(0),
    });
    const m = decodeMessage(buf);
    expect(m.entries[0].data.buffer).toBe(buf.buffer);
    expect(m.entries[0].data.byteLength).toBe(1000);
  });

  it("rejects truncated or trailing input", () => {
    const buf = encodeHardState({ term: 300, vote: 2, commit: 70000 });
    expect(() => decodeHardState(buf.subarray(0, buf.length - 1))).toThrow();
    expect(() => decodeHardState(new Uint8Array([...buf, 0]))).toThrow();
  });
});
