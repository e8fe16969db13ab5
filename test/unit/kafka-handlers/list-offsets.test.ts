import { describe, expect, it } from "vitest";
import { createListOffsetsHandler } from "../../../data-node/src/kafka/handlers/list-offsets.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { ListOffsetsRequest } from "../../../data-node/src/kafka/protocol/generated/list-offsets-request.ts";
import type { ListOffsetsResponse } from "../../../data-node/src/kafka/protocol/generated/list-offsets-response.ts";
import { buildRecordBatch } from "../../../data-node/src/kafka/protocol/record-batch.ts";
import { addTopic, type FakeContext, fakeContext, rctx, roundTrip, versions } from "./fakes.ts";

function listReq(parts: { topic: string; partition: number; timestamp: number }[]): ListOffsetsRequest {
  const topics = new Map<string, ListOffsetsRequest["topics"][number]>();
  for (const p of parts) {
    const t = topics.get(p.topic) ?? { name: p.topic, partitions: [] };
    t.partitions.push({
      partitionIndex: p.partition,
      currentLeaderEpoch: -1,
      timestamp: BigInt(p.timestamp),
      maxNumOffsets: 1,
    });
    topics.set(p.topic, t);
  }
  return { replicaId: -1, isolationLevel: 0, topics: [...topics.values()] };
}

async function list(ctx: FakeContext, req: ListOffsetsRequest, version = 5) {
  return (await createListOffsetsHandler(ctx)(req, rctx(version))) as ListOffsetsResponse;
}

const at = (ms: number, value: string) =>
  buildRecordBatch([{ value: Buffer.from(value) }], { baseTimestamp: BigInt(ms) });

function setup() {
  const ctx = fakeContext();
  const [p] = addTopic(ctx, "t", 1);
  p.append(at(1000, "a"));
  p.append(at(2000, "b"));
  p.append(at(3000, "c"));
  p.logStart = 1;
  p.leaderEpoch = 9;
  return { ctx, p };
}

describe("ListOffsets handler", () => {
  it("answers earliest (-2), latest (-1) and by timestamp, with the leader epoch", async () => {
    const { ctx } = setup();
    const res = await list(
      ctx,
      listReq([
        { topic: "t", partition: 0, timestamp: -2 },
        { topic: "t", partition: 0, timestamp: -1 },
        { topic: "t", partition: 0, timestamp: 1500 },
        { topic: "t", partition: 0, timestamp: 9999 },
      ]),
    );
    const [earliest, latest, byTime, none] = res.topics[0].partitions;
    expect(earliest).toMatchObject({ errorCode: 0, offset: 1n, timestamp: -1n, leaderEpoch: 9 });
    expect(latest).toMatchObject({ errorCode: 0, offset: 3n, timestamp: -1n, leaderEpoch: 9 });
    expect(byTime).toMatchObject({ errorCode: 0, offset: 1n, timestamp: 2000n, leaderEpoch: 9 });
    expect(none).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n, leaderEpoch: -1 });
  });

  it("v0 answers the offset in oldStyleOffsets", async () => {
    const { ctx } = setup();
    const req = listReq([
      { topic: "t", partition: 0, timestamp: -1 },
      { topic: "t", partition: 0, timestamp: 9999 },
      { topic: "nope", partition: 0, timestamp: -1 },
    ]);
    const back = roundTrip(2, await list(ctx, req, 0), 0);
    expect(back.topics[0].partitions.map((p) => p.oldStyleOffsets)).toEqual([[3n], []]);
    expect(back.topics[1].partitions[0]).toMatchObject({ errorCode: 3, oldStyleOffsets: [] });
  });

  it("answers 3 for unknown partitions and 6 where this node is not the leader", async () => {
    const { ctx, p } = setup();
    addTopic(ctx, "remote", 1, false);
    p.isLeader = false;
    const res = await list(
      ctx,
      listReq([
        { topic: "nope", partition: 0, timestamp: -1 },
        { topic: "remote", partition: 0, timestamp: -1 },
        { topic: "t", partition: 0, timestamp: -1 },
        { topic: "t", partition: 1, timestamp: -1 },
      ]),
    );
    const codes = res.topics.flatMap((t) => t.partitions.map((x) => x.errorCode));
    expect(codes).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(res.topics[2].partitions[0]).toMatchObject({ offset: -1n, leaderEpoch: -1 });
  });

  it("every supported version encodes the response it builds", async () => {
    for (const v of versions(2)) {
      const { ctx } = setup();
      const back = roundTrip(
        2,
        await list(ctx, listReq([{ topic: "t", partition: 0, timestamp: -1 }]), v),
        v,
      );
      const p = back.topics[0].partitions[0];
      if (v === 0) expect(p.oldStyleOffsets).toEqual([3n]);
      else expect(p.offset).toBe(3n);
      if (v >= 4) expect(p.leaderEpoch).toBe(9);
    }
  });
});
