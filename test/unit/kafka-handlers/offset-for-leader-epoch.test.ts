import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../../../data-node/src/kafka/handlers/fetch.ts";
import { createListOffsetsHandler } from "../../../data-node/src/kafka/handlers/list-offsets.ts";
import { createOffsetForLeaderEpochHandler } from "../../../data-node/src/kafka/handlers/offset-for-leader-epoch.ts";
import { codecOf, decode, encode } from "../../../data-node/src/kafka/protocol/codec.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { FetchResponse } from "../../../data-node/src/kafka/protocol/generated/fetch-response.ts";
import type { ListOffsetsResponse } from "../../../data-node/src/kafka/protocol/generated/list-offsets-response.ts";
import type { OffsetForLeaderEpochResponse } from "../../../data-node/src/kafka/protocol/generated/offset-for-leader-epoch-response.ts";
import { consumerFetch } from "../../support/raw-kafka-client.ts";
import { addTopic, batchOf, fakeContext, rctx, roundTrip, versions } from "./fakes.ts";

// Partition t-0 led here in epoch 7: epoch 3 wrote offsets 0-1, epoch 5 offset 2, epoch 7 from 3 on.
function setup() {
  const ctx = fakeContext();
  const [p] = addTopic(ctx, "t", 1);
  addTopic(ctx, "remote", 1, false);
  for (const v of ["a", "b", "c", "d"]) p.append(batchOf(v));
  p.epochStarts = [
    { epoch: 3, startOffset: 0 },
    { epoch: 5, startOffset: 2 },
    { epoch: 7, startOffset: 3 },
  ];
  p.leaderEpoch = 7;
  return { ctx, p };
}

const ask = (topic: string, partition: number, leaderEpoch: number, currentLeaderEpoch = -1) => ({
  topic,
  partitions: [{ partition, currentLeaderEpoch, leaderEpoch }],
});

async function offsetsForEpochs(
  ctx: ReturnType<typeof setup>["ctx"],
  topics: ReturnType<typeof ask>[],
  v = 4,
) {
  const res = await createOffsetForLeaderEpochHandler(ctx)({ replicaId: -1, topics }, rctx(v));
  return (res as OffsetForLeaderEpochResponse).topics.map((t) => t.partitions[0]);
}

describe("OffsetForLeaderEpoch handler", () => {
  it("answers the end offset of the requested epoch, or of the largest one below it", async () => {
    const { ctx } = setup();
    const answers = await offsetsForEpochs(
      ctx,
      [3, 4, 5, 7, 8, -1].map((e) => ask("t", 0, e)),
    );
    expect(answers.map((a) => [a.errorCode, a.leaderEpoch, a.endOffset])).toEqual([
      [0, 3, 2n],
      [0, 3, 2n],
      [0, 5, 3n],
      [0, 7, 4n],
      [0, -1, -1n],
      [0, -1, -1n],
    ]);
  });

  it("fences a stale or future current leader epoch and answers only on the leader", async () => {
    const { ctx, p } = setup();
    const fenced = await offsetsForEpochs(ctx, [
      ask("t", 0, 3, 6),
      ask("t", 0, 3, 8),
      ask("t", 0, 3, 7),
      ask("remote", 0, 3),
      ask("nope", 0, 3),
    ]);
    expect(fenced.map((a) => a.errorCode)).toEqual([
      ErrorCode.FENCED_LEADER_EPOCH,
      ErrorCode.UNKNOWN_LEADER_EPOCH,
      0,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    p.isLeader = false;
    const [follower] = await offsetsForEpochs(ctx, [ask("t", 0, 3)]);
    expect(follower).toMatchObject({
      errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
      leaderEpoch: -1,
      endOffset: -1n,
    });
  });

  it("every version decodes the request and encodes the answer (before v2 nothing is fenced)", async () => {
    const codec = codecOf(23);
    for (const v of versions(23)) {
      const { ctx } = setup();
      const sent = { replicaId: -1, topics: [ask("t", 0, 3, 1)] };
      const req = decode(encode(sent, v, codec.sizeRequest, codec.writeRequest), v, codec.readRequest);
      const res = await createOffsetForLeaderEpochHandler(ctx)(req, rctx(v));
      const back = roundTrip(23, res as OffsetForLeaderEpochResponse, v).topics[0].partitions[0];
      expect(back).toEqual({
        errorCode: v >= 2 ? ErrorCode.FENCED_LEADER_EPOCH : 0,
        partition: 0,
        leaderEpoch: v >= 1 && v < 2 ? 3 : -1,
        endOffset: v >= 2 ? -1n : 2n,
      });
    }
  });
});

describe("current leader epoch checks of Fetch and ListOffsets", () => {
  it("Fetch v9+ fences a partition asked with another epoch, serving the rest", async () => {
    const { ctx } = setup();
    const fetch = createFetchHandler(ctx);
    const res = (await fetch(
      consumerFetch(
        "t",
        [6, 8, 7, -1].map((currentLeaderEpoch) => ({ partition: 0, currentLeaderEpoch })),
      ),
      rctx(12),
    )) as FetchResponse;
    expect(res.responses[0].partitions.map((p) => [p.errorCode, p.records?.length])).toEqual([
      [ErrorCode.FENCED_LEADER_EPOCH, 0],
      [ErrorCode.UNKNOWN_LEADER_EPOCH, 0],
      [0, 4],
      [0, 4],
    ]);
  });

  it("ListOffsets v4+ fences the same way", async () => {
    const { ctx } = setup();
    const res = (await createListOffsetsHandler(ctx)(
      {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          {
            name: "t",
            partitions: [6, 7].map((currentLeaderEpoch) => ({
              partitionIndex: 0,
              currentLeaderEpoch,
              timestamp: -1n,
              maxNumOffsets: 1,
            })),
          },
        ],
      },
      rctx(7),
    )) as ListOffsetsResponse;
    expect(res.topics[0].partitions.map((p) => [p.errorCode, p.offset])).toEqual([
      [ErrorCode.FENCED_LEADER_EPOCH, -1n],
      [0, 4n],
    ]);
  });
});
