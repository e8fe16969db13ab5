import {
  type CoordinatorRecord,
  decodeRecord,
  type GroupMetadataValue,
  type OffsetCommitValue,
} from "./records.ts";

// topic → partition → committed offset.
export type GroupOffsets = Map<string, Map<number, OffsetCommitValue>>;

export interface RebuiltState {
  // Latest group metadata per group (groups whose last record is a tombstone are absent).
  groups: Map<string, GroupMetadataValue>;
  // Committed offsets per group (tombstoned partitions are absent; empty maps are dropped).
  offsets: Map<string, GroupOffsets>;
}

// Replays one `__consumer_offsets` partition's records, in log order, into the state they describe:
// last write wins per key, a null value deletes the key. Pure: the coordinator turns the result into
// live groups when it takes over the partition.
export function rebuildFromRecords(records: Iterable<CoordinatorRecord>): RebuiltState {
  const groups = new Map<string, GroupMetadataValue>();
  const offsets = new Map<string, GroupOffsets>();
  for (const record of records) {
    const decoded = decodeRecord(record);
    if (decoded.type === "group") {
      if (decoded.value === null) groups.delete(decoded.groupId);
      else groups.set(decoded.groupId, decoded.value);
    } else if (decoded.type === "offset") {
      const { group, topic, partition } = decoded.key;
      if (decoded.value === null) {
        const topics = offsets.get(group);
        const partitions = topics?.get(topic);
        partitions?.delete(partition);
        if (partitions?.size === 0) topics?.delete(topic);
        if (topics?.size === 0) offsets.delete(group);
      } else {
        let topics = offsets.get(group);
        if (!topics) offsets.set(group, (topics = new Map()));
        let partitions = topics.get(topic);
        if (!partitions) topics.set(topic, (partitions = new Map()));
        partitions.set(partition, decoded.value);
      }
    }
  }
  return { groups, offsets };
}
