import type { OffsetFetchResult } from "../../groups/types.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import type {
  OffsetFetchResponse,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
} from "../protocol/generated/offset-fetch-response.ts";

type RequestedTopics = { name: string; partitionIndexes: number[] }[] | null;

function fetchGroup(ctx: BrokerContext, groupId: string, topics: RequestedTopics): OffsetFetchResult {
  return ctx.groups.fetchOffsets({
    groupId,
    topics:
      topics === null ? null : topics.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })),
  });
}

function responseTopics(result: OffsetFetchResult): OffsetFetchResponseTopic[] {
  return result.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map(
      (p): OffsetFetchResponsePartition => ({
        partitionIndex: p.partitionIndex,
        committedOffset: p.committedOffset,
        committedLeaderEpoch: p.committedLeaderEpoch,
        metadata: p.metadata,
        errorCode: p.errorCode,
      }),
    ),
  }));
}

// v0-1 have no top-level error: a group error is reported on every requested partition, as Kafka does.
function partitionLevelError(topics: RequestedTopics, errorCode: number): OffsetFetchResponseTopic[] {
  return (topics ?? []).map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      committedOffset: -1n,
      committedLeaderEpoch: -1,
      metadata: "",
      errorCode,
    })),
  }));
}

// OffsetFetch v0-8: null topics (v2+) means every committed offset of the group; v8 asks for several
// groups at once (KIP-709). require_stable (v7+) changes nothing: there are no pending transactional
// offsets.
export function createOffsetFetchHandler(ctx: BrokerContext): Handler<9> {
  return (req, rc) => {
    const v = rc.apiVersion;
    if (v >= 8) {
      const res: OffsetFetchResponse = {
        throttleTimeMs: 0,
        topics: [],
        errorCode: 0,
        groups: req.groups.map((g) => {
          const result = fetchGroup(ctx, g.groupId, g.topics);
          return { groupId: g.groupId, topics: responseTopics(result), errorCode: result.errorCode };
        }),
      };
      return res;
    }
    const topics = v >= 2 ? req.topics : (req.topics ?? []);
    const result = fetchGroup(ctx, req.groupId, topics);
    const res: OffsetFetchResponse = {
      throttleTimeMs: 0,
      topics:
        v < 2 && result.errorCode !== 0
          ? partitionLevelError(topics, result.errorCode)
          : responseTopics(result),
      errorCode: result.errorCode,
      groups: [],
    };
    return res;
  };
}
