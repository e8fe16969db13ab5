import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeBatch,
  EnvelopeError,
  encodeBatch,
  encodeBatches,
  itemSize,
} from "../../../data-node/src/transport/envelope.ts";
import type { GroupPayload } from "../../../data-node/src/transport/types.ts";

const item = fc.record({
  group: fc.string({ maxLength: 40, unit: "grapheme" }),
  payload: fc.uint8Array({ maxLength: 300 }),
});

const plain = (items: GroupPayload[]) => items.map((i) => ({ group: i.group, payload: [...i.payload] }));

describe("envelope codec", () => {
  it("writes chunked payloads back to back, after the caller's lead bytes", () => {
    const chunks = [Uint8Array.of(1, 2), Uint8Array.of(), Uint8Array.of(3, 4, 5)];
    const chunked = { group: "p-0", payload: { byteLength: 5, chunks } };
    const flat = { group: "q", payload: Uint8Array.of(9) };
    const lead = (size: number) => Uint8Array.of(0xaa, size);
    const buf = encodeBatch([chunked, flat], lead);
    expect([...buf.subarray(0, 2)]).toEqual([0xaa, buf.length - 2]);
    expect(plain(decodeBatch(buf.subarray(2)))).toEqual([
      { group: "p-0", payload: [1, 2, 3, 4, 5] },
      { group: "q", payload: [9] },
    ]);
    for (const b of encodeBatches([chunked, flat, flat], 30, lead)) expect(b[1]).toBe(b.length - 2);
  });

  it("round-trips any batch, including unicode group names and empty payloads", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 50 }), (items) => {
        expect(plain(decodeBatch(encodeBatch(items)))).toEqual(plain(items));
      }),
    );
  });

  it("round-trips short and long, ASCII and non-ASCII group names", () => {
    const names = ["__meta", "a".repeat(64), "b".repeat(65), "zażółć-7", "ü".repeat(40), "日本".repeat(100)];
    const items = names.map((group) => ({ group, payload: new Uint8Array([1]) }));
    expect(decodeBatch(encodeBatch(items)).map((i) => i.group)).toEqual(names);
  });

  it("costs 11 bytes per message plus the group name", () => {
    const items = [{ group: "orders-3", payload: new Uint8Array(1024) }];
    expect(encodeBatch(items).length).toBe(5 + 2 + 8 + 4 + 1024);
  });

  it("splits into envelopes within maxBytes, in order, and keeps an oversized item alone", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 80 }), fc.integer({ min: 5, max: 2000 }), (items, max) => {
        const batches = encodeBatches(items, max);
        const decoded = batches.map(decodeBatch);
        expect(plain(decoded.flat())).toEqual(plain(items));
        for (let i = 0; i < batches.length; i++) {
          expect(decoded[i].length).toBeGreaterThan(0);
          if (decoded[i].length > 1) expect(batches[i].length).toBeLessThanOrEqual(max);
          else expect(batches[i].length).toBe(5 + itemSize(decoded[i][0]));
        }
      }),
    );
  });

  it("returns payloads as views into the frame, without copying", () => {
    const frame = encodeBatch([{ group: "g", payload: new Uint8Array([1, 2, 3]) }]);
    const [got] = decodeBatch(frame);
    expect(got.payload.buffer).toBe(frame.buffer);
  });

  it("rejects malformed envelopes with an EnvelopeError", () => {
    const good = encodeBatch([
      { group: "a", payload: new Uint8Array([1, 2, 3]) },
      { group: "bb", payload: new Uint8Array(10) },
    ]);
    expect(() => decodeBatch(new Uint8Array(3))).toThrow(EnvelopeError);
    const badVersion = Buffer.from(good);
    badVersion[0] = 9;
    expect(() => decodeBatch(badVersion)).toThrow(/version 9/);
    const hugeCount = Buffer.from(good);
    hugeCount.writeUInt32BE(0xffffffff, 1);
    expect(() => decodeBatch(hugeCount)).toThrow(EnvelopeError);
    for (let cut = 5; cut < good.length; cut++) {
      expect(() => decodeBatch(good.subarray(0, cut))).toThrow(EnvelopeError);
    }
    expect(() => decodeBatch(Buffer.concat([good, Buffer.from([0])]))).toThrow(/trailing/);
  });

  it("never throws anything but EnvelopeError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeBatch(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(EnvelopeError);
        }
      }),
    );
  });
});
