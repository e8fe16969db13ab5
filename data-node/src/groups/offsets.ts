import { CONSUMER_PROTOCOL_TYPE, subscribedTopics } from "./consumer-protocol.ts";
import { ErrorCode } from "./error-codes.ts";
import { type Group, metadataFor } from "./group.ts";
import { type CoordinatorRecord, encodeOffsetCommitRecord, type OffsetCommitValue } from "./records.ts";
import type {
  OffsetCommitRequest,
  OffsetCommitResult,
  OffsetDeleteRequest,
  OffsetDeleteResult,
  OffsetFetchPartition,
  OffsetFetchRequest,
  OffsetFetchResult,
} from "./types.ts";

// Offset commit, fetch and retention over one group's state; the coordinator owns persistence.

export function everyPartition(req: OffsetCommitRequest, errorCode: number): OffsetCommitResult {
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

// Kafka's checks for a commit to an existing group; a valid member's commit counts as a heartbeat.
export function commitError(group: Group, req: OffsetCommitRequest, now: number): number {
  if (group.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
  // The group only stores offsets for this consumer.
  if (req.generationId < 0 && group.state === "Empty") return ErrorCode.NONE;
  const member = group.members.get(req.memberId);
  if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  // The member has its new generation but no assignment yet. (During PreparingRebalance commits
  // are allowed: members commit before rejoining.)
  if (group.state === "CompletingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
  member.lastHeartbeat = now;
  return ErrorCode.NONE;
}

export interface PreparedCommit {
  // Per-partition outcome; accepted partitions read NONE until `fail` says otherwise.
  result: OffsetCommitResult;
  // One record per accepted partition, to append before anything is acknowledged.
  records: CoordinatorRecord[];
  // The records are durable: the offsets become visible to OffsetFetch.
  apply(): void;
  // The append failed: every accepted partition reports `errorCode`.
  fail(errorCode: number): void;
}

export function prepareCommit(
  group: Group,
  req: OffsetCommitRequest,
  now: number,
  maxMetadataSize: number,
): PreparedCommit {
  const records: CoordinatorRecord[] = [];
  const accepted: {
    topic: string;
    partition: number;
    value: OffsetCommitValue;
    entry: { errorCode: number };
  }[] = [];
  const expireTimestamp =
    req.retentionTimeMs !== null && req.retentionTimeMs >= 0 ? now + req.retentionTimeMs : null;
  const result: OffsetCommitResult = {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const metadata = p.committedMetadata ?? "";
        const entry = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE as number };
        if (Buffer.byteLength(metadata, "utf8") > maxMetadataSize) {
          entry.errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
          return entry;
        }
        const value: OffsetCommitValue = {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata,
          commitTimestamp: now,
          expireTimestamp,
        };
        const key = { group: group.groupId, topic: t.name, partition: p.partitionIndex };
        records.push(encodeOffsetCommitRecord(key, value));
        accepted.push({ topic: t.name, partition: p.partitionIndex, value, entry });
        return entry;
      }),
    })),
  };
  return {
    result,
    records,
    apply() {
      for (const a of accepted) {
        let partitions = group.offsets.get(a.topic);
        if (!partitions) group.offsets.set(a.topic, (partitions = new Map()));
        partitions.set(a.partition, a.value);
      }
    },
    fail(errorCode) {
      for (const a of accepted) a.entry.errorCode = errorCode;
    },
  };
}

// Committed offsets as OffsetFetch reports them: -1 and "" for partitions without one.
export function fetchOffsets(
  group: Group | undefined,
  topics: OffsetFetchRequest["topics"],
): OffsetFetchResult {
  const offsets = group?.offsets ?? new Map<string, Map<number, OffsetCommitValue>>();
  const toPartition = (partitionIndex: number, v: OffsetCommitValue | undefined): OffsetFetchPartition =>
    v
      ? {
          partitionIndex,
          committedOffset: v.offset,
          committedLeaderEpoch: v.leaderEpoch,
          metadata: v.metadata,
          errorCode: 0,
        }
      : { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: "", errorCode: 0 };
  if (topics === null) {
    return {
      errorCode: 0,
      topics: [...offsets].map(([name, parts]) => ({
        name,
        partitions: [...parts].map(([p, v]) => toPartition(p, v)),
      })),
    };
  }
  return {
    errorCode: 0,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => toPartition(p, offsets.get(t.name)?.get(p))),
    })),
  };
}

// The topics the members of a consumer group subscribe to, or null when their subscriptions cannot be
// read (no protocol chosen yet, metadata not in the consumer protocol's format).
function groupSubscriptions(group: Group): Set<string> | null {
  if (group.protocolName === null) return null;
  return subscribedTopics([...group.members.values()].map((m) => metadataFor(m, group.protocolName)));
}

// Removes the group's committed offsets that `remove` picks; returns their tombstones.
export function removeOffsets(
  group: Group,
  remove: (topic: string, partition: number, value: OffsetCommitValue) => boolean,
): CoordinatorRecord[] {
  const tombstones: CoordinatorRecord[] = [];
  for (const [topic, partitions] of group.offsets) {
    for (const [partition, value] of partitions) {
      if (!remove(topic, partition, value)) continue;
      partitions.delete(partition);
      tombstones.push(encodeOffsetCommitRecord({ group: group.groupId, topic, partition }, null));
    }
    if (partitions.size === 0) group.offsets.delete(topic);
  }
  return tombstones;
}

// OffsetDelete (KIP-496), Kafka's rules: a group without members loses the offsets asked for; a
// consumer group with members keeps those of topics it subscribes to (GROUP_SUBSCRIBED_TO_TOPIC; all
// topics when its subscriptions cannot be read); any other group with members is NON_EMPTY_GROUP.
// Removes the offsets and returns their tombstones.
export function deleteOffsets(
  group: Group,
  topics: OffsetDeleteRequest["topics"],
): { result: OffsetDeleteResult; records: CoordinatorRecord[] } {
  let subscribed: Set<string> | null = new Set();
  if (group.state !== "Empty") {
    if (group.protocolType !== CONSUMER_PROTOCOL_TYPE)
      return { result: { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] }, records: [] };
    subscribed = groupSubscriptions(group);
  }
  const removable = (topic: string) => subscribed !== null && !subscribed.has(topic);
  const asked = new Set(
    topics.flatMap((t) => (removable(t.name) ? t.partitionIndexes.map((p) => `${t.name}\u0000${p}`) : [])),
  );
  const records = removeOffsets(group, (topic, partition) => asked.has(`${topic}\u0000${partition}`));
  const result: OffsetDeleteResult = {
    errorCode: ErrorCode.NONE,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        errorCode: removable(t.name) ? ErrorCode.NONE : ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC,
      })),
    })),
  };
  return { result, records };
}

// Removes the group's expired offsets and returns their tombstones. Kafka's rules: offsets of a
// group that only stores offsets expire by commit time; a consumer group's offsets expire once it
// has been Empty for the retention period; a Stable consumer group loses only offsets of topics no
// member subscribes to. An explicit expire timestamp (OffsetCommit v2-v4) replaces the period.
export function expireOffsets(group: Group, now: number, retentionMs: number): CoordinatorRecord[] {
  let since: (value: OffsetCommitValue) => number;
  let subscribed = new Set<string>();
  if (group.protocolType === null) {
    since = (v) => v.commitTimestamp;
  } else if (group.state === "Empty") {
    since = () => group.stateSince;
  } else if (group.protocolType === CONSUMER_PROTOCOL_TYPE && group.state === "Stable") {
    const topics = groupSubscriptions(group);
    if (topics === null) return [];
    subscribed = topics;
    since = (v) => v.commitTimestamp;
  } else {
    return [];
  }
  return removeOffsets(
    group,
    (topic, _, value) =>
      !subscribed.has(topic) &&
      (value.expireTimestamp !== null ? now >= value.expireTimestamp : now - since(value) >= retentionMs),
  );
}
