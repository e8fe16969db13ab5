import { describe, expect, it } from "vitest";
import { createCreatePartitionsHandler } from "../../../data-node/src/kafka/handlers/create-partitions.ts";
import { createDataHandlers } from "../../../data-node/src/kafka/handlers/data-handlers.ts";
import { createDeleteTopicsHandler } from "../../../data-node/src/kafka/handlers/delete-topics.ts";
import { createInitProducerIdHandler } from "../../../data-node/src/kafka/handlers/init-producer-id.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { CreatePartitionsRequest } from "../../../data-node/src/kafka/protocol/generated/create-partitions-request.ts";
import type { CreatePartitionsResponse } from "../../../data-node/src/kafka/protocol/generated/create-partitions-response.ts";
import type { DeleteTopicsRequest } from "../../../data-node/src/kafka/protocol/generated/delete-topics-request.ts";
import type { DeleteTopicsResponse } from "../../../data-node/src/kafka/protocol/generated/delete-topics-response.ts";
import type { InitProducerIdRequest } from "../../../data-node/src/kafka/protocol/generated/init-producer-id-request.ts";
import type { InitProducerIdResponse } from "../../../data-node/src/kafka/protocol/generated/init-producer-id-response.ts";
import { ZERO_UUID } from "../../../data-node/src/kafka/protocol/uuid.ts";
import { addTopic, fakeContext, rctx, roundTrip, TOPIC_ID, versions } from "./fakes.ts";

describe("DeleteTopics handler", () => {
  const byNames = (names: string[]): DeleteTopicsRequest => ({
    topics: [],
    topicNames: names,
    timeoutMs: 1000,
  });

  it("deletes by name (v0-5) and answers unknown topics with 3", async () => {
    const ctx = fakeContext();
    addTopic(ctx, "a", 1);
    const res = (await createDeleteTopicsHandler(ctx)(
      byNames(["a", "nope"]),
      rctx(5),
    )) as DeleteTopicsResponse;
    expect(ctx.deleted).toEqual([["a", "nope"]]);
    expect(res.responses).toEqual([
      { name: "a", topicId: TOPIC_ID, errorCode: 0, errorMessage: null },
      {
        name: "nope",
        topicId: ZERO_UUID,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: "no topic nope",
      },
    ]);
  });

  it("v6 deletes by topic id and answers ids it cannot resolve with UNKNOWN_TOPIC_ID", async () => {
    const ctx = fakeContext();
    addTopic(ctx, "a", 1);
    addTopic(ctx, "b", 1);
    const unknownId = "11111111-2222-3333-4444-555555555555";
    const req: DeleteTopicsRequest = {
      topicNames: [],
      timeoutMs: 1000,
      topics: [
        { name: null, topicId: TOPIC_ID },
        { name: null, topicId: unknownId },
        { name: "b", topicId: ZERO_UUID },
        { name: "b", topicId: TOPIC_ID },
      ],
    };
    const res = (await createDeleteTopicsHandler(ctx)(req, rctx(6))) as DeleteTopicsResponse;
    expect(res.responses.map((r) => [r.name, r.topicId, r.errorCode])).toEqual([
      ["a", TOPIC_ID, 0],
      [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID],
      ["b", TOPIC_ID, 0],
      ["b", TOPIC_ID, ErrorCode.INVALID_REQUEST],
    ]);
    expect(roundTrip(20, res, 6).responses[1].topicId).toBe(unknownId);
  });

  it("every supported version encodes the response it builds", async () => {
    for (const v of versions(20)) {
      const ctx = fakeContext();
      addTopic(ctx, "a", 1);
      const req: DeleteTopicsRequest = {
        topicNames: ["a", "b"],
        timeoutMs: 1000,
        topics: [
          { name: "a", topicId: ZERO_UUID },
          { name: "b", topicId: ZERO_UUID },
        ],
      };
      const back = roundTrip(
        20,
        (await createDeleteTopicsHandler(ctx)(req, rctx(v))) as DeleteTopicsResponse,
        v,
      );
      expect(back.responses.map((r) => [r.name, r.errorCode])).toEqual([
        ["a", 0],
        ["b", 3],
      ]);
      if (v >= 5) expect(back.responses[1].errorMessage).toBe("no topic b");
    }
  });
});

describe("CreatePartitions handler", () => {
  const req = (topics: CreatePartitionsRequest["topics"], validateOnly = false): CreatePartitionsRequest => ({
    topics,
    timeoutMs: 1000,
    validateOnly,
  });

  it("passes new totals and validateOnly to the controller and answers its errors", async () => {
    const ctx = fakeContext();
    addTopic(ctx, "a", 2);
    const res = (await createCreatePartitionsHandler(ctx)(
      req(
        [
          { name: "a", count: 4, assignments: null },
          { name: "nope", count: 2, assignments: null },
        ],
        true,
      ),
      rctx(1),
    )) as CreatePartitionsResponse;
    expect(ctx.partitionRequests).toEqual([
      {
        reqs: [
          { name: "a", count: 4 },
          { name: "nope", count: 2 },
        ],
        validateOnly: true,
      },
    ]);
    expect(res.results).toEqual([
      { name: "a", errorCode: 0, errorMessage: null },
      { name: "nope", errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "no topic nope" },
    ]);
  });

  it("rejects duplicates and manual assignments, and encodes at every version", async () => {
    for (const v of versions(37)) {
      const ctx = fakeContext();
      addTopic(ctx, "a", 1);
      addTopic(ctx, "b", 1);
      const res = (await createCreatePartitionsHandler(ctx)(
        req([
          { name: "a", count: 3, assignments: null },
          { name: "a", count: 4, assignments: null },
          { name: "b", count: 2, assignments: [{ brokerIds: [1] }] },
        ]),
        rctx(v),
      )) as CreatePartitionsResponse;
      const back = roundTrip(37, res, v);
      expect(back.results.map((r) => [r.name, r.errorCode])).toEqual([
        ["a", ErrorCode.INVALID_REQUEST],
        ["b", ErrorCode.INVALID_REQUEST],
      ]);
      expect(ctx.partitionRequests).toEqual([]);
    }
  });
});

describe("InitProducerId handler", () => {
  const req = (o: Partial<InitProducerIdRequest> = {}): InitProducerIdRequest => ({
    transactionalId: null,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
    ...o,
  });

  it("gives idempotent producers a fresh id with epoch 0, also on a v3 epoch bump", async () => {
    const ctx = fakeContext();
    const h = createInitProducerIdHandler(ctx);
    expect(await h(req(), rctx(0))).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: 1000n,
      producerEpoch: 0,
    });
    const bumped = (await h(req({ producerId: 1000n, producerEpoch: 0 }), rctx(3))) as InitProducerIdResponse;
    expect(bumped).toMatchObject({ errorCode: 0, producerId: 1001n, producerEpoch: 0 });
  });

  it("refuses transactional ids and passes allocation errors through", async () => {
    const ctx = fakeContext();
    const h = createInitProducerIdHandler(ctx);
    expect(await h(req({ transactionalId: "tx-1" }), rctx(1))).toMatchObject({
      errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      producerId: -1n,
    });
    ctx.allocateProducerId = async () => ({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      producerId: -1,
      producerEpoch: -1,
    });
    expect(await h(req(), rctx(1))).toMatchObject({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      producerId: -1n,
      producerEpoch: -1,
    });
  });

  it("every supported version encodes the response it builds", async () => {
    for (const v of versions(22)) {
      const res = (await createInitProducerIdHandler(fakeContext())(
        req(),
        rctx(v),
      )) as InitProducerIdResponse;
      expect(roundTrip(22, res, v)).toEqual(res);
    }
  });
});

describe("createDataHandlers", () => {
  it("covers exactly the data and admin APIs", () => {
    const table = createDataHandlers(fakeContext());
    expect(
      Object.keys(table)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 19, 20, 21, 22, 23, 32, 33, 35, 37, 44, 60]);
  });
});
