import { describe, expect, it } from "vitest";
import type { RequestContext } from "../../../data-node/src/kafka/handler-types.ts";
import {
  advertisedVersions,
  apiVersionsBody,
  createApiVersionsHandler,
} from "../../../data-node/src/kafka/handlers/api-versions.ts";
import {
  createMetadataHandler,
  type MetadataView,
  singleBrokerView,
  type TopicView,
} from "../../../data-node/src/kafka/handlers/metadata.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { MetadataRequest } from "../../../data-node/src/kafka/protocol/generated/metadata-request.ts";
import { ZERO_UUID } from "../../../data-node/src/kafka/protocol/uuid.ts";

const ctx = (apiVersion: number): RequestContext => ({
  apiVersion,
  correlationId: 1,
  clientId: "c",
  connectionId: 1,
  remoteAddress: "127.0.0.1:1",
});

const req = (topics: string[] | null, allowAutoTopicCreation = true): MetadataRequest => ({
  topics: topics === null ? null : topics.map((name) => ({ name, topicId: ZERO_UUID })),
  allowAutoTopicCreation,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
});

const orders: TopicView = {
  name: "orders",
  topicId: "00000000-0000-0000-0000-000000000001",
  isInternal: false,
  partitions: [
    { partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1, 2], isrNodes: [1], errorCode: 0 },
  ],
};

const view: MetadataView = {
  current: () => true,
  clusterId: () => "c1",
  controllerId: () => 2,
  brokers: () => [{ nodeId: 1, host: "127.0.0.1", port: 9092, rack: null }],
  topics: () => [orders],
  topic: (name) => (name === "orders" ? orders : undefined),
};

describe("Metadata handler", () => {
  it("an empty cluster lists this node and answers unknown topics with error 3", async () => {
    const h = createMetadataHandler(
      singleBrokerView({ nodeId: 7, host: "127.0.0.1", port: 1234, rack: null }),
    );
    const res = (await h(req(["x"]), ctx(9))) as any;
    expect(res.brokers).toEqual([{ nodeId: 7, host: "127.0.0.1", port: 1234, rack: null }]);
    expect(res.controllerId).toBe(7);
    expect(res.topics).toEqual([
      expect.objectContaining({ name: "x", errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] }),
    ]);
  });

  it("v0 empty list and v1+ null mean all topics; v1+ empty list means none", async () => {
    const h = createMetadataHandler(view);
    expect(((await h(req([]), ctx(0))) as any).topics.map((t: any) => t.name)).toEqual(["orders"]);
    expect(((await h(req(null), ctx(1))) as any).topics.map((t: any) => t.name)).toEqual(["orders"]);
    expect(((await h(req([]), ctx(1))) as any).topics).toEqual([]);
  });

  it("maps partitions and lets an unknown-topic hook auto-create", async () => {
    const calls: Array<[string, boolean]> = [];
    const h = createMetadataHandler(view, (name, allow) => {
      calls.push([name, allow]);
      return allow ? { ...orders, name } : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    });
    const res = (await h(req(["orders", "new"]), ctx(9))) as any;
    expect(res.topics[0].partitions[0]).toEqual({
      errorCode: 0,
      partitionIndex: 0,
      leaderId: 1,
      leaderEpoch: 3,
      replicaNodes: [1, 2],
      isrNodes: [1],
      offlineReplicas: [],
    });
    expect(res.topics[1]).toMatchObject({ name: "new", errorCode: 0 });
    const denied = (await h(req(["other"], false), ctx(9))) as any;
    expect(denied.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(calls).toEqual([
      ["new", true],
      ["other", false],
    ]);
    expect(res.clusterId).toBe("c1");
    expect(res.controllerId).toBe(2);
  });

  it("v10+ carries topic ids and finds topics by id; an unknown id is UNKNOWN_TOPIC_ID (KIP-516)", async () => {
    const h = createMetadataHandler(view);
    const byName = (await h(req(["orders"]), ctx(12))) as any;
    expect(byName.topics[0]).toMatchObject({ name: "orders", topicId: orders.topicId, errorCode: 0 });
    const byId = (await h(
      {
        ...req(null),
        topics: [
          { name: null, topicId: orders.topicId },
          { name: null, topicId: "0c6a6f1e-0000-4000-8000-000000000001" },
          { name: null, topicId: ZERO_UUID },
        ],
      },
      ctx(12),
    )) as any;
    expect(byId.topics.map((t: any) => [t.name, t.errorCode])).toEqual([
      ["orders", 0],
      [null, ErrorCode.UNKNOWN_TOPIC_ID],
      [null, ErrorCode.INVALID_REQUEST],
    ]);
  });

  it("from a stale image: partitions leaderless, unknown topics retriable, nothing auto-created", async () => {
    const calls: string[] = [];
    const h = createMetadataHandler({ ...view, current: () => false }, (name) => {
      calls.push(name);
      return { ...orders, name };
    });
    const named = (await h(req(["orders", "new"]), ctx(9))) as any;
    expect(named.topics[0]).toMatchObject({ name: "orders", errorCode: 0 });
    expect(named.topics[0].partitions).toEqual([
      expect.objectContaining({ partitionIndex: 0, leaderId: -1, errorCode: ErrorCode.LEADER_NOT_AVAILABLE }),
    ]);
    expect(named.topics[1]).toMatchObject({ name: "new", errorCode: ErrorCode.LEADER_NOT_AVAILABLE });
    const all = (await h(req(null), ctx(9))) as any;
    expect(all.topics.map((t: any) => [t.name, t.partitions.length, t.partitions[0].leaderId])).toEqual([
      ["orders", 1, -1],
    ]);
    expect(calls).toEqual([]);
  });
});

describe("Metadata authorized operations (KIP-430, no authorizer)", () => {
  const NOT_REQUESTED = -2147483648;
  // READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11
  const TOPIC_OPERATIONS = 0b1101_1111_1000;
  // CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12
  const CLUSTER_OPERATIONS = 0b1_1111_1010_0000;

  it("answers every supported operation when asked, and Kafka's 'not requested' value otherwise", async () => {
    const h = createMetadataHandler(view);
    const asked = (await h(
      {
        ...req(["orders", "unknown"]),
        includeClusterAuthorizedOperations: true,
        includeTopicAuthorizedOperations: true,
      },
      ctx(9),
    )) as any;
    expect(asked.topics.map((t: any) => t.topicAuthorizedOperations)).toEqual([
      TOPIC_OPERATIONS,
      TOPIC_OPERATIONS,
    ]);
    expect(asked.clusterAuthorizedOperations).toBe(CLUSTER_OPERATIONS);
    const notAsked = (await h(req(["orders"]), ctx(9))) as any;
    expect(notAsked.topics[0].topicAuthorizedOperations).toBe(NOT_REQUESTED);
    expect(notAsked.clusterAuthorizedOperations).toBe(NOT_REQUESTED);
  });
});

describe("ApiVersions handler", () => {
  it("advertises exactly the registered APIs with min version 0", async () => {
    const advertised = advertisedVersions({
      3: () => ({}) as any,
      18: () => ({}) as any,
      1: () => ({}) as any,
    });
    expect(advertised).toEqual([
      { apiKey: 1, minVersion: 0, maxVersion: 12 },
      { apiKey: 3, minVersion: 0, maxVersion: 12 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ]);
    const res = await createApiVersionsHandler(() => advertised)(
      { clientSoftwareName: "", clientSoftwareVersion: "" },
      ctx(3),
    );
    expect(res).toEqual(apiVersionsBody(0, advertised));
  });
});
