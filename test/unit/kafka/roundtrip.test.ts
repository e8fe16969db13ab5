import { describe, expect, it } from "vitest";
import { encode, encodeResponseFrame } from "../../../data-node/src/kafka/protocol/codec.ts";
import * as gen from "../../../data-node/src/kafka/protocol/generated/index.ts";
import { SCHEMAS } from "../../../data-node/src/kafka/protocol/generated/schema.ts";
import { Reader } from "../../../data-node/src/kafka/protocol/reader.ts";
import { sampleStruct, type Variant } from "./sample.ts";

const fns = gen as unknown as Record<string, any>;

describe("generated codecs round-trip every message at every version", () => {
  for (const schema of SCHEMAS) {
    const read = fns[`read${schema.name}`];
    const write = fns[`write${schema.name}`];
    const size = fns[`size${schema.name}`];
    for (let v = schema.minVersion; v <= schema.maxVersion; v++) {
      for (const variant of ["full", "sparse"] as Variant[]) {
        it(`${schema.name} v${v} (${variant})`, () => {
          const value = sampleStruct(schema.fields, v, variant);
          const bytes = encode(value, v, size, write);
          const r = new Reader(bytes);
          const decoded = read(r, v);
          expect(r.pos).toBe(bytes.length);
          expect(decoded).toEqual(value);
          // Chunked framing yields the same bytes.
          const chunks = encodeResponseFrame(7, 0, value, v, size, write);
          expect(Buffer.concat(chunks).subarray(8)).toEqual(bytes);
        });
      }
    }
  }
});

describe("records fields", () => {
  it("decode as a view into the frame, without copying", () => {
    const records = Buffer.alloc(100, 7);
    const value = {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: "t", partitionData: [{ index: 0, records }] }],
    };
    const bytes = encode(value, 7, gen.sizeProduceRequest, gen.writeProduceRequest);
    const decoded = gen.readProduceRequest(new Reader(bytes), 7);
    const got = decoded.topicData[0].partitionData[0].records as Buffer;
    expect(got.buffer).toBe(bytes.buffer);
    expect(got.byteOffset).toBe(bytes.byteOffset + bytes.length - 100);
  });

  it("large record buffers are passed by reference in chunked frames", () => {
    const seg1 = Buffer.alloc(10_000, 1);
    const seg2 = Buffer.alloc(20_000, 2);
    const body: gen.FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: "t",
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 5n,
              lastStableOffset: 5n,
              logStartOffset: 0n,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: [seg1, seg2],
            },
          ],
        },
      ],
    };
    const chunks = encodeResponseFrame(1, 1, body, 12, gen.sizeFetchResponse, gen.writeFetchResponse);
    expect(chunks).toContain(seg1);
    expect(chunks).toContain(seg2);
    const frame = Buffer.concat(chunks);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    const decoded = gen.readFetchResponse(new Reader(frame, 4 + 4 + 1), 12);
    const got = decoded.responses[0].partitions[0].records as Buffer;
    expect(got.equals(Buffer.concat([seg1, seg2]))).toBe(true);
  });
});
