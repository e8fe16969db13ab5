import { describe, expect, it } from "vitest";
import { createAlterConfigsHandler } from "../../../data-node/src/kafka/handlers/alter-configs.ts";
import { createIncrementalAlterConfigsHandler } from "../../../data-node/src/kafka/handlers/incremental-alter-configs.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { AlterConfigsRequestAlterConfigsResource } from "../../../data-node/src/kafka/protocol/generated/alter-configs-request.ts";
import type { AlterConfigsResponse } from "../../../data-node/src/kafka/protocol/generated/alter-configs-response.ts";
import type { IncrementalAlterConfigsRequestAlterConfigsResource } from "../../../data-node/src/kafka/protocol/generated/incremental-alter-configs-request.ts";
import type { IncrementalAlterConfigsResponse } from "../../../data-node/src/kafka/protocol/generated/incremental-alter-configs-response.ts";
import { addTopic, type FakeContext, fakeContext, rctx, roundTrip, versions } from "./fakes.ts";

const TOPIC = 2;
const BROKER = 4;

function setup(): FakeContext {
  const ctx = fakeContext();
  addTopic(ctx, "t", 1);
  addTopic(ctx, "u", 1);
  return ctx;
}

async function alter(
  ctx: FakeContext,
  resources: AlterConfigsRequestAlterConfigsResource[],
  validateOnly = false,
) {
  const res = await createAlterConfigsHandler(ctx)({ resources, validateOnly }, rctx(2));
  return (res as AlterConfigsResponse).responses;
}

async function incremental(
  ctx: FakeContext,
  resources: IncrementalAlterConfigsRequestAlterConfigsResource[],
  validateOnly = false,
) {
  const res = await createIncrementalAlterConfigsHandler(ctx)({ resources, validateOnly }, rctx(1));
  return (res as IncrementalAlterConfigsResponse).responses;
}

const codes = (rs: { resourceName: string; errorCode: number }[]) =>
  rs.map((r) => [r.resourceName, r.errorCode]);

describe("AlterConfigs handler", () => {
  it("sends each topic's configs to the controller as its whole override set, with validateOnly", async () => {
    const ctx = setup();
    const rs = await alter(
      ctx,
      [
        { resourceType: TOPIC, resourceName: "t", configs: [{ name: "retention.ms", value: "1000" }] },
        { resourceType: TOPIC, resourceName: "u", configs: [] },
      ],
      true,
    );
    expect(rs).toEqual([
      { errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: "t" },
      { errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: "u" },
    ]);
    expect(ctx.alterations).toEqual([
      {
        topic: "t",
        mode: "replace",
        changes: [{ name: "retention.ms", op: "set", value: "1000" }],
        validateOnly: true,
      },
      { topic: "u", mode: "replace", changes: [], validateOnly: true },
    ]);
  });

  it("answers per resource: the controller's error, a repeated resource or key INVALID_REQUEST, unknown types INVALID_REQUEST", async () => {
    const ctx = setup();
    const rs = await alter(ctx, [
      { resourceType: TOPIC, resourceName: "nope", configs: [] },
      { resourceType: TOPIC, resourceName: "t", configs: [] },
      { resourceType: TOPIC, resourceName: "t", configs: [] },
      {
        resourceType: TOPIC,
        resourceName: "u",
        configs: [
          { name: "retention.ms", value: "1" },
          { name: "retention.ms", value: "2" },
        ],
      },
      { resourceType: 8, resourceName: "1", configs: [] },
    ]);
    expect(codes(rs)).toEqual([
      ["nope", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ["t", ErrorCode.INVALID_REQUEST],
      ["t", ErrorCode.INVALID_REQUEST],
      ["u", ErrorCode.INVALID_REQUEST],
      ["1", ErrorCode.INVALID_REQUEST],
    ]);
    expect(rs.map((r) => r.errorMessage)).toEqual([
      "no topic nope",
      "Each resource must appear at most once",
      "Each resource must appear at most once",
      "Config retention.ms appears more than once",
      "Unknown resource type 8",
    ]);
    expect(ctx.alterations.map((a) => a.topic)).toEqual(["nope"]);
  });

  it("refuses changes to broker configs, which are static, with INVALID_REQUEST naming them", async () => {
    const ctx = setup();
    const rs = await alter(ctx, [
      { resourceType: BROKER, resourceName: "1", configs: [{ name: "num.partitions", value: "5" }] },
      { resourceType: BROKER, resourceName: "", configs: [{ name: "no.such.broker.key", value: "5" }] },
      { resourceType: BROKER, resourceName: "2", configs: [] },
    ]);
    expect(codes(rs)).toEqual([
      ["1", ErrorCode.INVALID_REQUEST],
      ["", ErrorCode.INVALID_REQUEST],
      ["2", ErrorCode.INVALID_REQUEST],
    ]);
    expect(rs[0].errorMessage).toMatch(/Cannot update these configs dynamically: num\.partitions/);
    expect(rs[1].errorMessage).toBe("Unknown broker configs: no.such.broker.key");
    expect(rs[2].errorMessage).toMatch(/Unexpected broker id, expected 1 but received 2/);
    // An empty change to this broker is a no-op, as in Kafka.
    const single = await alter(ctx, [{ resourceType: BROKER, resourceName: "1", configs: [] }]);
    expect(codes(single)).toEqual([["1", 0]]);
    expect(ctx.alterations).toEqual([]);
  });

  it("a failing controller call fails its resource with UNKNOWN_SERVER_ERROR, not the connection", async () => {
    const ctx = setup();
    ctx.alterTopicConfigs = async () => {
      throw new Error("boom");
    };
    const rs = await alter(ctx, [{ resourceType: TOPIC, resourceName: "t", configs: [] }]);
    expect(rs[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: "boom" });
  });

  it("every version encodes its response", async () => {
    const rs = await alter(setup(), [{ resourceType: TOPIC, resourceName: "nope", configs: [] }]);
    for (const v of versions(33)) {
      const back = roundTrip(33, { throttleTimeMs: 0, responses: rs }, v);
      expect(back.responses).toEqual(rs);
    }
  });
});

describe("IncrementalAlterConfigs handler", () => {
  it("maps SET, DELETE, APPEND and SUBTRACT to the controller's changes", async () => {
    const ctx = setup();
    const rs = await incremental(ctx, [
      {
        resourceType: TOPIC,
        resourceName: "t",
        configs: [
          { name: "retention.ms", configOperation: 0, value: "1000" },
          { name: "segment.ms", configOperation: 1, value: null },
          { name: "cleanup.policy", configOperation: 2, value: "compact" },
          { name: "leader.replication.throttled.replicas", configOperation: 3, value: "0:1" },
        ],
      },
    ]);
    expect(codes(rs)).toEqual([["t", 0]]);
    expect(ctx.alterations).toEqual([
      {
        topic: "t",
        mode: "incremental",
        changes: [
          { name: "retention.ms", op: "set", value: "1000" },
          { name: "segment.ms", op: "delete", value: null },
          { name: "cleanup.policy", op: "append", value: "compact" },
          { name: "leader.replication.throttled.replicas", op: "subtract", value: "0:1" },
        ],
        validateOnly: false,
      },
    ]);
  });

  it("refuses an unknown operation with INVALID_REQUEST before the controller", async () => {
    const ctx = setup();
    const rs = await incremental(ctx, [
      {
        resourceType: TOPIC,
        resourceName: "t",
        configs: [{ name: "retention.ms", configOperation: 7, value: "1" }],
      },
    ]);
    expect(rs[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: "Unknown operation type 7 for config retention.ms",
    });
    expect(ctx.alterations).toEqual([]);
  });

  it("refuses broker config changes like AlterConfigs does, and every version encodes its response", async () => {
    const rs = await incremental(setup(), [
      {
        resourceType: BROKER,
        resourceName: "1",
        configs: [{ name: "log.retention.ms", configOperation: 0, value: "5" }],
      },
    ]);
    expect(rs[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: /log\.retention\.ms/ });
    for (const v of versions(44)) {
      const back = roundTrip(44, { throttleTimeMs: 0, responses: rs }, v);
      expect(back.responses).toEqual(rs);
    }
  });
});
