import type { GroupCoordinatorConfig } from "../../../../data-node/src/groups/config.ts";
import { GroupCoordinator } from "../../../../data-node/src/groups/coordinator.ts";
import type { CoordinatorRecord } from "../../../../data-node/src/groups/records.ts";
import type { BrokerAddress, BrokerContext } from "../../../../data-node/src/kafka/broker-context.ts";
import {
  type ApiRequest,
  type ApiResponse,
  type Handler,
  NO_RESPONSE,
} from "../../../../data-node/src/kafka/handler-types.ts";
import { createGroupHandlers } from "../../../../data-node/src/kafka/handlers/group-handlers.ts";
import type { MetadataView, TopicView } from "../../../../data-node/src/kafka/handlers/metadata.ts";
import { decode, encode } from "../../../../data-node/src/kafka/protocol/codec.ts";
import { API_CODECS, type ApiMessages } from "../../../../data-node/src/kafka/protocol/generated/apis.ts";

export const BROKER: BrokerAddress = { nodeId: 1, host: "127.0.0.1", port: 9092 };

function topic(name: string, partitions: number): TopicView {
  return {
    name,
    topicId: "00000000-0000-0000-0000-000000000001",
    isInternal: false,
    partitions: Array.from({ length: partitions }, (_, i) => ({
      partitionIndex: i,
      leaderId: 1,
      leaderEpoch: 0,
      replicaNodes: [1],
      isrNodes: [1],
      errorCode: 0,
    })),
  };
}

// A fake BrokerContext over a real GroupCoordinator that owns every `__consumer_offsets` partition and
// whose appends are durable at once. Time is `clock.now`, moved by the test.
export function groupContext(config: Partial<GroupCoordinatorConfig> = {}) {
  const clock = { now: 1_000_000 };
  const appended: { partition: number; record: CoordinatorRecord }[] = [];
  let uuid = 0;
  let activity = 0;
  const groups = new GroupCoordinator({
    append: async (partition, records) => {
      for (const record of records) appended.push({ partition, record });
    },
    newUuid: () => `uuid-${++uuid}`,
    config: { initialRebalanceDelayMs: 0, ...config },
  });
  for (let p = 0; p < groups.config.offsetsTopicPartitions; p++) groups.loadPartition(p, [], clock.now);
  const topics = new Map([
    ["orders", topic("orders", 3)],
    ["audit", topic("audit", 1)],
  ]);
  const metadata: MetadataView = {
    current: () => true,
    clusterId: () => "c1",
    controllerId: () => 1,
    brokers: () => [{ ...BROKER, rack: null }],
    topics: () => [...topics.values()],
    topic: (name) => topics.get(name),
  };
  const findCoordinator: BrokerContext["findCoordinator"] = async (groupId) =>
    groupId === "nowhere"
      ? { errorCode: 15, errorMessage: "the group's coordinator is being elected" }
      : { errorCode: 0, coordinator: BROKER };
  const ctx = {
    nodeId: 1,
    metadata,
    groups,
    findCoordinator,
    now: () => clock.now,
    onGroupActivity: () => {
      activity++;
    },
  } as unknown as BrokerContext;
  const handlers = createGroupHandlers(ctx);

  // One request through the wire codecs at `version`: the request is encoded and decoded (so fields
  // the version lacks are gone), handled, and the response is encoded and decoded the same way.
  async function call<K extends keyof ApiMessages>(
    key: K,
    version: number,
    request: ApiRequest<K>,
    clientId = "client",
  ): Promise<ApiResponse<K>> {
    const codec = API_CODECS[key];
    const wireRequest = decode(
      encode(request, version, codec.sizeRequest, codec.writeRequest),
      version,
      codec.readRequest,
    );
    const handler = handlers[key] as Handler<K>;
    const response = await handler(wireRequest, {
      apiVersion: version,
      correlationId: 1,
      clientId,
      connectionId: 1,
      remoteAddress: "127.0.0.1:50000",
    });
    if (response === NO_RESPONSE) throw new Error("group handlers always answer");
    return decode(
      encode(response, version, codec.sizeResponse, codec.writeResponse),
      version,
      codec.readResponse,
    );
  }

  return { ctx, groups, clock, appended, call, activity: () => activity };
}
