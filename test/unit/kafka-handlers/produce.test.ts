import { describe, expect, it } from "vitest";
import { NO_RESPONSE } from "../../../data-node/src/kafka/handler-types.ts";
import { createProduceHandler } from "../../../data-node/src/kafka/handlers/produce.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { ProduceRequest } from "../../../data-node/src/kafka/protocol/generated/produce-request.ts";
import type { ProduceResponse } from "../../../data-node/src/kafka/protocol/generated/produce-response.ts";
import { Compression, computeCrc } from "../../../data-node/src/kafka/protocol/record-batch.ts";
import { silentLogger } from "../../../shared/log.ts";
import { addTopic, batchOf, type FakeContext, fakeContext, rctx, roundTrip, versions } from "./fakes.ts";

function produceReq(
  parts: { topic: string; index: number; records: Buffer | Buffer[] | null }[],
  acks = -1,
): ProduceRequest {
  const topics = new Map<string, ProduceRequest["topicData"][number]>();
  for (const p of parts) {
    const t = topics.get(p.topic) ?? { name: p.topic, partitionData: [] };
    t.partitionData.push({ index: p.index, records: p.records });
    topics.set(p.topic, t);
  }
  return { transactionalId: null, acks, timeoutMs: 1500, topicData: [...topics.values()] };
}

async function produce(ctx: FakeContext, req: ProduceRequest, version = 9) {
  return createProduceHandler(ctx, silentLogger)(req, rctx(version));
}

function partitionOf(res: unknown, topic: string, index: number) {
  const r = res as ProduceResponse;
  const p = r.responses.find((t) => t.name === topic)?.partitionResponses.find((x) => x.index === index);
  if (!p) throw new Error(`no response for ${topic}-${index}`);
  return p;
}

describe("Produce handler", () => {
  it("appends the batches with the request's acks and timeout and answers the base offset", async () => {
    const ctx = fakeContext();
    const [p0] = addTopic(ctx, "orders", 1);
    p0.append(batchOf("a", "b"));
    p0.logStart = 0;
    const res = await produce(ctx, produceReq([{ topic: "orders", index: 0, records: batchOf("c") }], 1));
    expect(p0.produced).toHaveLength(1);
    expect(p0.produced[0].acks).toBe(1);
    expect(p0.produced[0].timeoutMs).toBe(1500);
    expect(partitionOf(res, "orders", 0)).toEqual({
      index: 0,
      errorCode: 0,
      baseOffset: 2n,
      logAppendTimeMs: -1n,
      logStartOffset: 0n,
      recordErrors: [],
      errorMessage: null,
    });
  });

  it("splits a payload of several batches and passes them all", async () => {
    const ctx = fakeContext();
    const [p0] = addTopic(ctx, "orders", 1);
    const res = await produce(
      ctx,
      produceReq([{ topic: "orders", index: 0, records: Buffer.concat([batchOf("a"), batchOf("b", "c")]) }]),
    );
    expect(p0.produced[0].batches).toHaveLength(2);
    expect(partitionOf(res, "orders", 0).baseOffset).toBe(0n);
    expect(p0.highWatermark).toBe(3);
  });

  it("answers unknown topics and partitions with 3 and remote or follower partitions with 6", async () => {
    const ctx = fakeContext();
    const [local] = addTopic(ctx, "local", 2);
    local.isLeader = false;
    addTopic(ctx, "remote", 1, false);
    const res = await produce(
      ctx,
      produceReq([
        { topic: "nope", index: 0, records: batchOf("a") },
        { topic: "remote", index: 0, records: batchOf("a") },
        { topic: "remote", index: 5, records: batchOf("a") },
        { topic: "local", index: 0, records: batchOf("a") },
      ]),
    );
    expect(partitionOf(res, "nope", 0).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(partitionOf(res, "remote", 0).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(partitionOf(res, "remote", 5).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(partitionOf(res, "local", 0).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(partitionOf(res, "local", 0).baseOffset).toBe(-1n);
    expect(local.produced).toHaveLength(0);
  });

  it("with a stale image, answers partitions it does not know NOT_LEADER_OR_FOLLOWER, never unknown", async () => {
    const ctx = fakeContext();
    const [local] = addTopic(ctx, "local", 1);
    ctx.imageCurrent = false;
    const res = await produce(
      ctx,
      produceReq([
        { topic: "nope", index: 0, records: batchOf("a") },
        { topic: "local", index: 0, records: batchOf("a") },
      ]),
    );
    expect(partitionOf(res, "nope", 0).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    // A local leader is the partition's Raft leader: it serves whatever the __meta image says.
    expect(partitionOf(res, "local", 0).errorCode).toBe(0);
    expect(local.produced).toHaveLength(1);
  });

  it("refuses null, empty, corrupt and old-format payloads before the log", async () => {
    const ctx = fakeContext();
    const parts = addTopic(ctx, "t", 4);
    const corrupt = Buffer.from(batchOf("x"));
    corrupt[corrupt.length - 1] ^= 0xff;
    const v1 = Buffer.from(batchOf("x"));
    v1[16] = 1;
    const res = await produce(
      ctx,
      produceReq([
        { topic: "t", index: 0, records: null },
        { topic: "t", index: 1, records: Buffer.alloc(0) },
        { topic: "t", index: 2, records: corrupt },
        { topic: "t", index: 3, records: v1 },
      ]),
    );
    expect(partitionOf(res, "t", 0).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(partitionOf(res, "t", 1).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(partitionOf(res, "t", 2).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(partitionOf(res, "t", 3).errorCode).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    expect(partitionOf(res, "t", 2).errorMessage).toMatch(/crc/);
    for (const p of parts) expect(p.produced).toHaveLength(0);
  });

  it("refuses zstd batches below produce v7 (UNSUPPORTED_COMPRESSION_TYPE) and passes them from v7", async () => {
    const zstd = Buffer.from(batchOf("x"));
    zstd.writeInt16BE(Compression.ZSTD, 21);
    zstd.writeUInt32BE(computeCrc(zstd), 17);
    for (const [version, code] of [
      [6, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
      [7, 0],
    ]) {
      const ctx = fakeContext();
      addTopic(ctx, "t", 1);
      const res = await produce(ctx, produceReq([{ topic: "t", index: 0, records: zstd }]), version);
      expect(partitionOf(res, "t", 0).errorCode).toBe(code);
    }
  });

  it("refuses writes to internal topics", async () => {
    const ctx = fakeContext();
    const [p] = addTopic(ctx, "__consumer_offsets", 1, true, true);
    const res = await produce(
      ctx,
      produceReq([{ topic: "__consumer_offsets", index: 0, records: batchOf("a") }]),
    );
    expect(partitionOf(res, "__consumer_offsets", 0).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(p.produced).toHaveLength(0);
  });

  it("answers INVALID_REQUIRED_ACKS for acks other than -1, 0, 1 without producing", async () => {
    const ctx = fakeContext();
    const [p0] = addTopic(ctx, "orders", 1);
    const res = await produce(ctx, produceReq([{ topic: "orders", index: 0, records: batchOf("a") }], 2));
    expect(partitionOf(res, "orders", 0).errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect(p0.produced).toHaveLength(0);
  });

  it("passes the partition's error and message through", async () => {
    const ctx = fakeContext();
    const [p0] = addTopic(ctx, "orders", 1);
    p0.logStart = 7;
    p0.produceResult = () => ({
      errorCode: ErrorCode.REQUEST_TIMED_OUT,
      baseOffset: -1,
      logStartOffset: 7,
      errorMessage: "slow",
    });
    const res = await produce(ctx, produceReq([{ topic: "orders", index: 0, records: batchOf("a") }]));
    expect(partitionOf(res, "orders", 0)).toMatchObject({
      errorCode: 7,
      baseOffset: -1n,
      logStartOffset: 7n,
      errorMessage: "slow",
    });
  });

  it("acks=0 produces and returns NO_RESPONSE; a failure closes the connection (the handler throws)", async () => {
    const ctx = fakeContext();
    const [p0] = addTopic(ctx, "orders", 1);
    const ok = await produce(ctx, produceReq([{ topic: "orders", index: 0, records: batchOf("a") }], 0));
    expect(ok).toBe(NO_RESPONSE);
    expect(p0.produced).toHaveLength(1);
    expect(p0.produced[0].acks).toBe(0);
    expect(p0.highWatermark).toBe(1);
    await expect(
      produce(ctx, produceReq([{ topic: "nope", index: 0, records: batchOf("a") }], 0)),
    ).rejects.toThrow(/acks=0/);
  });

  it("handles the partitions of one request concurrently", async () => {
    const ctx = fakeContext();
    const parts = [...addTopic(ctx, "a", 2), ...addTopic(ctx, "b", 1)];
    let started = 0;
    let maxInFlight = 0;
    let inFlight = 0;
    let release!: () => void;
    const allStarted = new Promise<void>((r) => (release = r));
    for (const p of parts) {
      p.produceResult = async () => {
        started++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (started === parts.length) release();
        // Sequential handling would never start the others; the fallback keeps a failure from hanging.
        await Promise.race([allStarted, new Promise((r) => setTimeout(r, 2000))]);
        inFlight--;
        return { errorCode: 0, baseOffset: 0, logStartOffset: 0 };
      };
    }
    const res = await produce(
      ctx,
      produceReq([
        { topic: "a", index: 0, records: batchOf("x") },
        { topic: "a", index: 1, records: batchOf("x") },
        { topic: "b", index: 0, records: batchOf("x") },
      ]),
    );
    expect(maxInFlight).toBe(3);
    expect((res as ProduceResponse).responses.map((t) => t.partitionResponses.length)).toEqual([2, 1]);
  });

  it("every supported version encodes the response it builds", async () => {
    for (const v of versions(0)) {
      const ctx = fakeContext();
      addTopic(ctx, "orders", 1);
      const res = (await produce(
        ctx,
        produceReq([
          { topic: "orders", index: 0, records: batchOf("a") },
          { topic: "nope", index: 0, records: batchOf("a") },
        ]),
        v,
      )) as ProduceResponse;
      const back = roundTrip(0, res, v);
      expect(back.responses[0].partitionResponses[0].errorCode).toBe(0);
      expect(back.responses[0].partitionResponses[0].baseOffset).toBe(0n);
      expect(back.responses[1].partitionResponses[0].errorCode).toBe(3);
      if (v >= 5) expect(back.responses[0].partitionResponses[0].logStartOffset).toBe(0n);
      if (v >= 2) expect(back.responses[0].partitionResponses[0].logAppendTimeMs).toBe(-1n);
    }
  });
  it("refuses a batch larger than the topic's max.message.bytes with MESSAGE_TOO_LARGE; the rest is served", async () => {
    const ctx = fakeContext();
    const [limited] = addTopic(ctx, "limited", 1);
    const [open] = addTopic(ctx, "open", 1);
    const big = batchOf("x".repeat(2000));
    ctx.topicOverrides.set("limited", { "max.message.bytes": String(big.length - 1) });
    const res = await produce(
      ctx,
      produceReq([
        { topic: "limited", index: 0, records: [batchOf("small"), big] },
        { topic: "open", index: 0, records: big },
      ]),
    );
    expect(partitionOf(res, "limited", 0)).toMatchObject({
      errorCode: ErrorCode.MESSAGE_TOO_LARGE,
      errorMessage: `a record batch of ${big.length} bytes exceeds max.message.bytes (${big.length - 1})`,
    });
    expect(limited.produced).toEqual([]);
    expect(partitionOf(res, "open", 0).errorCode).toBe(0);
    expect(open.produced).toHaveLength(1);
    ctx.topicOverrides.set("limited", { "max.message.bytes": String(big.length) });
    const fits = await produce(ctx, produceReq([{ topic: "limited", index: 0, records: big }]));
    expect(partitionOf(fits, "limited", 0).errorCode).toBe(0);
  });
});
