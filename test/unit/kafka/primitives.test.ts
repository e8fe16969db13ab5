import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecodeError } from "../../../data-node/src/kafka/protocol/decode-error.ts";
import { Reader } from "../../../data-node/src/kafka/protocol/reader.ts";
import {
  uvarintSize,
  varintSize,
  varlongSize,
  Writer,
} from "../../../data-node/src/kafka/protocol/writer.ts";

describe("varints", () => {
  it("uvarint/varint/varlong round-trip with exact sizes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer(),
        fc.integer({ min: 0, max: 2 ** 52 - 1 }),
        (u, i, l) => {
          const w = new Writer(uvarintSize(u) + varintSize(i) + varlongSize(l) + varlongSize(-l));
          w.uvarint(u);
          w.varint(i);
          w.varlong(l);
          w.varlong(-l);
          const buf = w.finish()[0];
          const r = new Reader(buf);
          expect([r.uvarint(), r.varint(), r.varlong(), r.varlong()]).toEqual([u, i, l, l === 0 ? 0 : -l]);
          expect(r.remaining).toBe(0);
        },
      ),
    );
  });

  it("matches the protocol guide's zigzag examples", () => {
    const w = new Writer(4);
    for (const n of [0, -1, 1, -2]) w.varint(n);
    expect([...w.finish()[0]]).toEqual([0, 1, 2, 3]);
    const w2 = new Writer(2);
    w2.uvarint(300);
    expect([...w2.finish()[0]]).toEqual([0xac, 0x02]);
  });

  it("rejects over-long and truncated varints with DecodeError", () => {
    expect(() => new Reader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).uvarint()).toThrow(
      DecodeError,
    );
    expect(() => new Reader(Buffer.from([0x80])).uvarint()).toThrow(DecodeError);
  });
});

describe("strings, bytes and nulls", () => {
  it("rejects null where the field is not nullable", () => {
    expect(() => new Reader(Buffer.from([0xff, 0xff])).string(false)).toThrow(DecodeError);
    expect(new Reader(Buffer.from([0xff, 0xff])).string(true)).toBeNull();
    expect(() => new Reader(Buffer.from([0])).compactString(false)).toThrow(DecodeError);
  });

  it("rejects array lengths that exceed the frame", () => {
    expect(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0])).arrayLen(false)).toThrow(DecodeError);
  });
});
