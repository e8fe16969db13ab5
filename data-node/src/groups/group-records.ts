import { Group, type Member, metadataFor } from "./group.ts";
import type { GroupMetadataValue } from "./records.ts";

// A group as its `__consumer_offsets` metadata record describes it, with `assignmentOf` giving
// each member's assignment (the leader's new one while it is being stored).
export function groupRecordValue(group: Group, assignmentOf: (m: Member) => Buffer): GroupMetadataValue {
  return {
    protocolType: group.protocolType ?? "",
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: group.stateSince,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: metadataFor(m, group.protocolName),
      assignment: assignmentOf(m),
    })),
  };
}

// The live group a coordinator taking over the partition starts from: Stable with its members
// (whose sessions start now) or Empty, as Kafka loads it.
export function groupFromRecordValue(
  groupId: string,
  partition: number,
  value: GroupMetadataValue,
  now: number,
): Group {
  const group = new Group(
    groupId,
    partition,
    value.currentStateTimestamp >= 0 ? value.currentStateTimestamp : now,
  );
  group.protocolType = value.protocolType === "" ? null : value.protocolType;
  group.generationId = value.generation;
  group.protocolName = value.protocol;
  for (const m of value.members) {
    group.add({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      sessionTimeoutMs: m.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      protocolType: value.protocolType,
      protocols: value.protocol !== null ? [{ name: value.protocol, metadata: m.subscription }] : [],
      assignment: m.assignment,
      joinWaiter: null,
      syncWaiter: null,
      isNew: false,
      joinedAt: now,
      lastHeartbeat: now,
    });
  }
  if (value.leader !== null && group.members.has(value.leader)) group.leaderId = value.leader;
  group.state = group.members.size > 0 ? "Stable" : "Empty";
  return group;
}
