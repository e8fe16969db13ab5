import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameDecoder, FrameError } from "../../../data-node/src/kafka/framing.ts";

function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length);
  payload.copy(b, 4);
  return b;
}

describe("FrameDecoder", () => {
  it("reassembles frames however the stream is cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => frame(Buffer.from(p))));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const d = new FrameDecoder(1000);
          const out: Buffer[] = [];
          let prev = 0;
          for (const p of [...points, stream.length]) {
            out.push(...d.push(stream.subarray(prev, p)));
            prev = p;
          }
          expect(out.map((b) => [...b])).toEqual(payloads.map((p) => [...p]));
          expect(d.buffered).toBe(0);
        },
      ),
    );
  });

  it("returns a view when the frame lies in one chunk", () => {
    const chunk = frame(Buffer.from("hello"));
    const [f] = new FrameDecoder(100).push(chunk);
    expect(f.buffer).toBe(chunk.buffer);
  });

  it("rejects negative and oversized frame lengths", () => {
    expect(() => new FrameDecoder(10).push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(FrameError);
    expect(() => new FrameDecoder(10).push(Buffer.from([0, 0, 0, 11]))).toThrow(FrameError);
  });
});
