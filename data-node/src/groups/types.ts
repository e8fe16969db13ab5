// Plain request/result shapes of the coordinator's operations. They are independent of the wire
// version: the Kafka handlers map every JoinGroup/SyncGroup/... version onto them and back.

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

export interface ProtocolEntry {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  // "" for a member joining for the first time.
  memberId: string;
  groupInstanceId: string | null;
  // JoinGroup v4+: a new dynamic member first gets MEMBER_ID_REQUIRED with its id (KIP-394).
  requireKnownMemberId: boolean;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  // JoinGroup v0 has none: the handler passes the session timeout.
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: ProtocolEntry[];
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  // Non-empty only in the leader's response: every member with its metadata for the chosen protocol.
  members: JoinGroupMember[];
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  // SyncGroup v5+ sends them; null when the request version has none.
  protocolType: string | null;
  protocolName: string | null;
  // Only the leader sends assignments.
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  // v0-2: exactly one member with groupInstanceId null; v3+: a batch.
  members: { memberId: string; groupInstanceId: string | null }[];
}

export interface LeaveGroupResult {
  // Top-level error; v0-2 handlers use the single member's error when this is NONE.
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export interface OffsetCommitPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

export interface OffsetCommitRequest {
  groupId: string;
  // -1 with memberId "" for a consumer that uses the group only to store offsets.
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  // OffsetCommit v2-v4 retention_time_ms; -1 (or null) means the broker default.
  retentionTimeMs: number | null;
  topics: { name: string; partitions: OffsetCommitPartition[] }[];
}

export interface OffsetCommitResult {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export interface OffsetFetchRequest {
  groupId: string;
  // null: every committed offset of the group.
  topics: { name: string; partitionIndexes: number[] }[] | null;
}

export interface OffsetFetchPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  // Kafka answers "" for a partition without a committed offset.
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchResult {
  errorCode: number;
  topics: { name: string; partitions: OffsetFetchPartition[] }[];
}

export interface OffsetDeleteRequest {
  groupId: string;
  topics: { name: string; partitionIndexes: number[] }[];
}

// errorCode: the group's (NOT_COORDINATOR, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, ...), with no topics.
export interface OffsetDeleteResult {
  errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  // Metadata of the chosen protocol and assignment, only while the group is Stable.
  metadata: Buffer;
  assignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  // "" when errorCode is not NONE.
  groupState: GroupState | "";
  protocolType: string;
  // The chosen protocol while Stable, "" otherwise.
  protocolData: string;
  members: DescribedMember[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: GroupState;
}
