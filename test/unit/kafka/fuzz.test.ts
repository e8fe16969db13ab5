import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  codecFor,
  encode,
  readRequestHeaderOf,
  SUPPORTED_VERSIONS,
} from "../../../data-node/src/kafka/protocol/codec.ts";
import { DecodeError } from "../../../data-node/src/kafka/protocol/decode-error.ts";
import { SCHEMAS } from "../../../data-node/src/kafka/protocol/generated/schema.ts";
import { Reader } from "../../../data-node/src/kafka/protocol/reader.ts";
import { iterateRecords, splitBatches } from "../../../data-node/src/kafka/protocol/record-batch.ts";
import { sampleStruct } from "./sample.ts";

function onlyDecodeErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
}

const requestSchema = (name: string) => SCHEMAS.find((s) => s.name === name)!;

describe("decoding hostile bytes throws only DecodeError", () => {
  for (const range of SUPPORTED_VERSIONS) {
    const codec = codecFor(range.apiKey)!;
    it(`${codec.name}Request, all versions: random bytes`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: range.minVersion, max: range.maxVersion }),
          fc.uint8Array({ maxLength: 200 }),
          (v, bytes) => onlyDecodeErrors(() => codec.readRequest(new Reader(Buffer.from(bytes)), v)),
        ),
        { numRuns: 300 },
      );
    });

    it(`${codec.name}Request, all versions: mutated valid encodings`, () => {
      const schema = requestSchema(`${codec.name}Request`);
      const valid = new Map<number, Buffer>();
      for (let v = range.minVersion; v <= range.maxVersion; v++) {
        valid.set(
          v,
          encode(sampleStruct(schema.fields, v, "full"), v, codec.sizeRequest, codec.writeRequest),
        );
      }
      fc.assert(
        fc.property(
          fc.integer({ min: range.minVersion, max: range.maxVersion }),
          fc.nat(),
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
          (v, cut, at, byte) => {
            const buf = Buffer.from(valid.get(v)!);
            buf[at % buf.length] = byte;
            const truncated = buf.subarray(0, cut % (buf.length + 1));
            onlyDecodeErrors(() => codec.readRequest(new Reader(truncated), v));
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it("request headers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) =>
        onlyDecodeErrors(() => readRequestHeaderOf(Buffer.from(bytes))),
      ),
    );
  });

  it("record batches", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const buf = Buffer.from(bytes);
        expect(() => splitBatches(buf)).not.toThrow();
        onlyDecodeErrors(() => [...iterateRecords(buf)]);
      }),
    );
  });
});
