import { expect, it } from "vitest";
import { createCreateTopicsHandler } from "../../../data-node/src/kafka/handlers/create-topics.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { CreateTopicsResponse } from "../../../data-node/src/kafka/protocol/generated/create-topics-response.ts";
import { fakeContext, rctx } from "./fakes.ts";

const assignments = [
  { partitionIndex: 0, brokerIds: [2, 1] },
  { partitionIndex: 1, brokerIds: [3, 2] },
];

it("passes a manual replica assignment to the controller, and refuses one sent with counts", async () => {
  const ctx = fakeContext();
  const topic = (name: string, numPartitions: number, replicationFactor: number) => ({
    name,
    numPartitions,
    replicationFactor,
    assignments,
    configs: [],
  });
  const res = (await createCreateTopicsHandler(ctx)(
    {
      topics: [topic("placed", -1, -1), topic("with-count", 2, -1), topic("with-rf", -1, 2)],
      timeoutMs: 1000,
      validateOnly: false,
    },
    rctx(7),
  )) as CreateTopicsResponse;
  expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
    ["placed", 0],
    ["with-count", ErrorCode.INVALID_REQUEST],
    ["with-rf", ErrorCode.INVALID_REQUEST],
  ]);
  expect(ctx.created).toHaveLength(1);
  expect(ctx.created[0].topics.map((t) => [t.name, t.assignments])).toEqual([["placed", assignments]]);
});
