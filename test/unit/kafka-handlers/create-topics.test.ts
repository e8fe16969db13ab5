import { describe, expect, it } from "vitest";
import { createCreateTopicsHandler } from "../../../data-node/src/kafka/handlers/create-topics.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
} from "../../../data-node/src/kafka/protocol/generated/create-topics-request.ts";
import type { CreateTopicsResponse } from "../../../data-node/src/kafka/protocol/generated/create-topics-response.ts";
import { ZERO_UUID } from "../../../data-node/src/kafka/protocol/uuid.ts";
import { TOPIC_CONFIGS } from "../../../data-node/src/meta/topic-config-catalogue.ts";
import { addTopic, type FakeContext, fakeContext, rctx, roundTrip, TOPIC_ID, versions } from "./fakes.ts";

const topic = (
  name: string,
  o: Partial<CreateTopicsRequestCreatableTopic> = {},
): CreateTopicsRequestCreatableTopic => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  assignments: [],
  configs: [],
  ...o,
});

async function create(
  ctx: FakeContext,
  topics: CreateTopicsRequestCreatableTopic[],
  validateOnly = false,
  version = 7,
) {
  const req: CreateTopicsRequest = { topics, timeoutMs: 30_000, validateOnly };
  return (await createCreateTopicsHandler(ctx)(req, rctx(version))) as CreateTopicsResponse;
}

describe("CreateTopics handler", () => {
  it("creates with the broker defaults for -1 and answers the resulting shape, configs and topic id", async () => {
    const ctx = fakeContext({ defaultPartitions: 3, defaultRf: 2 });
    const res = await create(ctx, [topic("orders", { configs: [{ name: "retention.ms", value: "1000" }] })]);
    expect(ctx.created).toEqual([
      {
        topics: [
          { name: "orders", numPartitions: -1, replicationFactor: -1, configs: { "retention.ms": "1000" } },
        ],
        validateOnly: false,
      },
    ]);
    expect(res.topics).toEqual([
      {
        name: "orders",
        topicId: TOPIC_ID,
        errorCode: 0,
        errorMessage: null,
        numPartitions: 3,
        replicationFactor: 2,
        configs: expect.arrayContaining([
          { name: "retention.ms", value: "1000", readOnly: false, configSource: 1, isSensitive: false },
          { name: "cleanup.policy", value: "delete", readOnly: false, configSource: 5, isSensitive: false },
        ]),
      },
    ]);
    expect(res.topics[0].configs).toHaveLength(TOPIC_CONFIGS.size);
  });

  it("passes explicit counts and validateOnly through, answering the configs the topic would have", async () => {
    const ctx = fakeContext();
    const res = await create(
      ctx,
      [
        topic("t", {
          numPartitions: 6,
          replicationFactor: 3,
          configs: [{ name: "cleanup.policy", value: "compact" }],
        }),
      ],
      true,
    );
    expect(ctx.created[0].validateOnly).toBe(true);
    expect(ctx.topicViews.has("t")).toBe(false);
    expect(res.topics[0]).toMatchObject({
      errorCode: 0,
      numPartitions: 6,
      replicationFactor: 3,
      configs: expect.arrayContaining([
        { name: "cleanup.policy", value: "compact", readOnly: false, configSource: 1, isSensitive: false },
        { name: "segment.bytes", value: "134217728", readOnly: false, configSource: 4, isSensitive: false },
      ]),
    });
  });

  it("answers the controller's errors: invalid name 17, existing 36, replication factor above the brokers 38", async () => {
    const ctx = fakeContext({ brokers: 3 });
    addTopic(ctx, "exists", 1);
    const res = await create(ctx, [
      topic("bad name!"),
      topic("exists"),
      topic("wide", { replicationFactor: 4 }),
      topic("fine"),
    ]);
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ["bad name!", ErrorCode.INVALID_TOPIC_EXCEPTION],
      ["exists", ErrorCode.TOPIC_ALREADY_EXISTS],
      ["wide", ErrorCode.INVALID_REPLICATION_FACTOR],
      ["fine", 0],
    ]);
    expect(res.topics[2]).toMatchObject({
      errorMessage: expect.stringMatching(/larger than available brokers/),
      numPartitions: -1,
      replicationFactor: -1,
      topicId: ZERO_UUID,
    });
  });

  it("rejects duplicates, assignments with counts, bad counts and null config values before the controller", async () => {
    const ctx = fakeContext();
    const res = await create(ctx, [
      topic("dup"),
      topic("manual", { numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
      topic("dup"),
      topic("zero", { numPartitions: 0 }),
      topic("norf", { replicationFactor: -5 }),
      topic("nullcfg", { configs: [{ name: "retention.ms", value: null }] }),
    ]);
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ["dup", ErrorCode.INVALID_REQUEST],
      ["manual", ErrorCode.INVALID_REQUEST],
      ["zero", ErrorCode.INVALID_PARTITIONS],
      ["norf", ErrorCode.INVALID_REPLICATION_FACTOR],
      ["nullcfg", ErrorCode.INVALID_REQUEST],
    ]);
    for (const t of res.topics) expect(t.errorMessage).toBeTruthy();
    expect(ctx.created).toEqual([]);
  });

  it("a failing controller call answers each topic with UNKNOWN_SERVER_ERROR instead of closing the connection", async () => {
    const ctx = fakeContext();
    ctx.createTopics = async () => {
      throw new Error("meta unreachable");
    };
    const res = await create(ctx, [topic("a"), topic("b")]);
    expect(res.topics.map((t) => [t.name, t.errorCode, t.errorMessage])).toEqual([
      ["a", ErrorCode.UNKNOWN_SERVER_ERROR, "meta unreachable"],
      ["b", ErrorCode.UNKNOWN_SERVER_ERROR, "meta unreachable"],
    ]);
  });

  it("every supported version encodes the response it builds", async () => {
    for (const v of versions(19)) {
      const ctx = fakeContext();
      const res = await create(
        ctx,
        [topic("ok", { numPartitions: 2, replicationFactor: 1 }), topic("bad/name")],
        false,
        v,
      );
      const back = roundTrip(19, res, v);
      expect(back.topics.map((t) => t.errorCode)).toEqual([0, ErrorCode.INVALID_TOPIC_EXCEPTION]);
      if (v >= 1) expect(back.topics[1].errorMessage).toMatch(/illegal/);
      if (v >= 5) expect(back.topics[0]).toMatchObject({ numPartitions: 2, replicationFactor: 1 });
      if (v >= 7) expect(back.topics[0].topicId).toBe(TOPIC_ID);
    }
  });
});
