import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { MetadataRequest } from "../protocol/generated/metadata-request.ts";
import type {
  MetadataResponse,
  MetadataResponsePartition,
  MetadataResponseTopic,
} from "../protocol/generated/metadata-response.ts";
import { ZERO_UUID } from "../protocol/uuid.ts";
import { CLUSTER_OPERATIONS, OPERATIONS_NOT_REQUESTED, TOPIC_OPERATIONS } from "./authorized-operations.ts";

export interface BrokerView {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionView {
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  errorCode: number;
}

export interface TopicView {
  name: string;
  topicId: string; // canonical uuid (KIP-516), carried on the wire from Metadata v10
  isInternal: boolean;
  partitions: PartitionView[];
}

// What the Metadata handler needs from the node's metadata image.
export interface MetadataView {
  // False while the image may be stale (before the node caught up, while fenced or cut off from the
  // __meta leader): answers then stay retriable and never claim a topic is unknown.
  current(): boolean;
  clusterId(): string | null;
  controllerId(): number;
  brokers(): readonly BrokerView[];
  topics(): readonly TopicView[];
  topic(name: string): TopicView | undefined;
}

// Called for each requested topic the view does not know. Return the created topic (for
// auto-create) or an error code for the topic entry. Default: UNKNOWN_TOPIC_OR_PARTITION.
export type UnknownTopicHook = (
  name: string,
  allowAutoTopicCreation: boolean,
) => TopicView | number | Promise<TopicView | number>;

const UNKNOWN: UnknownTopicHook = () => ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;

function partitionEntry(p: PartitionView): MetadataResponsePartition {
  return {
    errorCode: p.errorCode,
    partitionIndex: p.partitionIndex,
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
    replicaNodes: p.replicaNodes,
    isrNodes: p.isrNodes,
    offlineReplicas: [],
  };
}

function topicEntry(t: TopicView): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.isInternal,
    partitions: t.partitions.map(partitionEntry),
    topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

// A topic as a stale image knows it: its partitions without leaders, so clients retry their metadata
// rather than act on a leader or a partition count that may have changed.
function leaderlessEntry(t: TopicView): MetadataResponseTopic {
  return topicEntry({
    ...t,
    partitions: t.partitions.map((p) => ({ ...p, leaderId: -1, errorCode: ErrorCode.LEADER_NOT_AVAILABLE })),
  });
}

function errorEntry(name: string | null, errorCode: number, topicId = ZERO_UUID): MetadataResponseTopic {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

export function createMetadataHandler(
  view: MetadataView,
  onUnknownTopic: UnknownTopicHook = UNKNOWN,
): Handler<3> {
  return async (req: MetadataRequest, ctx) => {
    // v0: an empty list means "all topics"; v1+: null means all, empty means none.
    const all = req.topics === null || (ctx.apiVersion === 0 && req.topics.length === 0);
    const current = view.current();
    const entry = current ? topicEntry : leaderlessEntry;
    let topics: MetadataResponseTopic[];
    if (all) {
      topics = view.topics().map(entry);
    } else {
      topics = [];
      for (const { name, topicId } of req.topics!) {
        // v10+ may name a topic by id (v12: by id alone); an id names exactly one incarnation of a
        // topic, so a deleted and re-created topic is a different one (KIP-516).
        if (topicId !== ZERO_UUID) {
          const byId = view.topics().find((t) => t.topicId === topicId);
          if (byId) topics.push(entry(byId));
          else
            topics.push(
              errorEntry(
                name,
                current ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.LEADER_NOT_AVAILABLE,
                topicId,
              ),
            );
          continue;
        }
        if (name === null) {
          topics.push(errorEntry(null, ErrorCode.INVALID_REQUEST));
          continue;
        }
        const known = view.topic(name);
        if (known) {
          topics.push(entry(known));
          continue;
        }
        // A stale image cannot tell a new topic from a missing one: neither unknown nor auto-created.
        if (!current) {
          topics.push(errorEntry(name, ErrorCode.LEADER_NOT_AVAILABLE));
          continue;
        }
        const created = await onUnknownTopic(name, req.allowAutoTopicCreation);
        topics.push(typeof created === "number" ? errorEntry(name, created) : topicEntry(created));
      }
    }
    // v8+: without an authorizer every supported operation is allowed (v8-10 for the cluster).
    if (req.includeTopicAuthorizedOperations) {
      for (const t of topics) t.topicAuthorizedOperations = TOPIC_OPERATIONS;
    }
    const res: MetadataResponse = {
      throttleTimeMs: 0,
      brokers: view.brokers().map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterId: view.clusterId(),
      controllerId: view.controllerId(),
      topics,
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
        ? CLUSTER_OPERATIONS
        : OPERATIONS_NOT_REQUESTED,
    };
    return res;
  };
}

// A view for a node with no metadata image yet: itself as the only broker, no topics.
export function singleBrokerView(self: BrokerView, clusterId: string | null = null): MetadataView {
  return {
    current: () => true,
    clusterId: () => clusterId,
    controllerId: () => self.nodeId,
    brokers: () => [self],
    topics: () => [],
    topic: () => undefined,
  };
}
