import { createRequire } from "node:module";
import { crc32c } from "@node-rs/crc32";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import {
  BATCH_HEADER_SIZE,
  buildRecordBatch,
  iterateRecords,
  lastOffsetOf,
  parseBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
  splitBatches,
  verifyCrc,
} from "../../../data-node/src/kafka/protocol/record-batch.ts";

const require = createRequire(import.meta.url);
// kafkajs's own v2 batch encoder, as an independent producer of batches.
const KafkajsRecordBatch = require("kafkajs/src/protocol/recordBatch/v0/index.js").RecordBatch;
const KafkajsRecord = require("kafkajs/src/protocol/recordBatch/record/v0/index.js");

const sample = () =>
  buildRecordBatch(
    [
      { key: Buffer.from("k1"), value: Buffer.from("v1"), headers: [{ key: "h", value: Buffer.from("x") }] },
      { key: null, value: Buffer.from("v2"), timestamp: 1_700_000_000_123n },
      { value: null },
    ],
    { baseTimestamp: 1_700_000_000_000n, producerId: 42n, producerEpoch: 1, baseSequence: 7 },
  );

describe("record batch v2", () => {
  it("parses the 61-byte header without touching records", () => {
    const b = sample();
    const h = parseBatchHeader(b);
    expect(h).toMatchObject({
      baseOffset: 0n,
      batchLength: b.length - 12,
      partitionLeaderEpoch: -1,
      magic: 2,
      lastOffsetDelta: 2,
      baseTimestamp: 1_700_000_000_000n,
      maxTimestamp: 1_700_000_000_123n,
      producerId: 42n,
      producerEpoch: 1,
      baseSequence: 7,
      recordCount: 3,
    });
    expect(h.crc).toBe(crc32c(b.subarray(21)) >>> 0);
    expect(BATCH_HEADER_SIZE).toBe(61);
  });

  it("CRC verification detects any single flipped bit in the CRC'd region", () => {
    const b = sample();
    expect(verifyCrc(b)).toBe(true);
    expect(verifyCrc(Buffer.concat([b, Buffer.from([1, 2, 3])]))).toBe(true); // trailing bytes are not the batch's
    for (let byte = 21; byte < b.length; byte += 3) {
      const copy = Buffer.from(b);
      copy[byte] ^= 1 << (byte % 8);
      expect(verifyCrc(copy)).toBe(false);
    }
  });

  it("patching baseOffset and partitionLeaderEpoch keeps the CRC valid", () => {
    const b = sample();
    setBaseOffset(b, 1234n);
    setPartitionLeaderEpoch(b, 9);
    expect(verifyCrc(b)).toBe(true);
    expect(parseBatchHeader(b)).toMatchObject({ baseOffset: 1234n, partitionLeaderEpoch: 9 });
    expect(lastOffsetOf(b)).toBe(1236n);
  });

  it("iterates records of a batch it built", () => {
    const recs = [...iterateRecords(sample())];
    expect(recs).toHaveLength(3);
    expect(recs[0]).toMatchObject({ offsetDelta: 0, timestampDelta: 0 });
    expect(recs[0].key).toEqual(Buffer.from("k1"));
    expect(recs[0].value).toEqual(Buffer.from("v1"));
    expect(recs[0].headers).toEqual([{ key: "h", value: Buffer.from("x") }]);
    expect(recs[1]).toMatchObject({ offsetDelta: 1, timestampDelta: 123, key: null });
    expect(recs[2]).toMatchObject({ offsetDelta: 2, value: null, headers: [] });
  });

  it("iterates records of a batch built by kafkajs", async () => {
    const records = [
      KafkajsRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from("a"), value: Buffer.from("1") }),
      KafkajsRecord({
        offsetDelta: 1,
        timestampDelta: 5,
        key: null,
        value: Buffer.from("two"),
        headers: { trace: "abc" },
      }),
    ];
    const enc = await KafkajsRecordBatch({
      firstTimestamp: 1_000,
      maxTimestamp: 1_005,
      lastOffsetDelta: 1,
      records,
    });
    const batch: Buffer = enc.buffer;
    expect(verifyCrc(batch)).toBe(true);
    const split = splitBatches(batch);
    expect(split.ok).toBe(true);
    const got = [...iterateRecords(batch)];
    expect(got.map((r) => r.value?.toString())).toEqual(["1", "two"]);
    expect(got[0].key?.toString()).toBe("a");
    expect(got[1]).toMatchObject({ offsetDelta: 1, timestampDelta: 5, key: null });
    expect(got[1].headers).toEqual([{ key: "trace", value: Buffer.from("abc") }]);
  });

  it("splits a produce payload into its batches (views)", () => {
    const a = sample();
    const b = buildRecordBatch([{ value: Buffer.from("z") }], { baseTimestamp: 1n });
    const payload = Buffer.concat([a, b]);
    const split = splitBatches(payload);
    if (!split.ok) throw new Error(split.reason);
    expect(split.batches).toHaveLength(2);
    expect(split.batches[0]).toEqual(a);
    expect(split.batches[1]).toEqual(b);
    expect(split.batches[1].buffer).toBe(payload.buffer);
  });

  it("rejects magic 0/1 with UNSUPPORTED_FOR_MESSAGE_FORMAT and damage with CORRUPT_MESSAGE", () => {
    for (const magic of [0, 1]) {
      const legacy = Buffer.alloc(40);
      legacy.writeInt32BE(28, 8);
      legacy.writeInt8(magic, 16);
      expect(splitBatches(legacy)).toMatchObject({
        ok: false,
        errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      });
    }
    const bad = sample();
    bad[bad.length - 1] ^= 0xff;
    expect(splitBatches(bad)).toMatchObject({ ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE });
    expect(splitBatches(sample().subarray(0, 70))).toMatchObject({
      ok: false,
      errorCode: ErrorCode.CORRUPT_MESSAGE,
    });
  });
});
