import { ByteReader, ByteWriter } from "./bytes.ts";

// Records of Kafka's `__consumer_offsets` topic, byte-compatible with Kafka's group coordinator:
// key = int16 key version + key fields; value = int16 value version + value fields; null value =
// tombstone. Key versions 0/1 are offset commits (group, topic, partition), 2 is group metadata.

export interface CoordinatorRecord {
  key: Buffer;
  value: Buffer | null;
}

export interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}

export interface OffsetCommitValue {
  offset: bigint;
  // -1 when unknown; carried by value versions 3+.
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  // Only value version 1 carries it (OffsetCommit v2-v4 retention); null otherwise.
  expireTimestamp: number | null;
}

export interface GroupMemberRecord {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  // -1 when unknown (value versions 0-1).
  currentStateTimestamp: number;
  members: GroupMemberRecord[];
}

export type DecodedRecord =
  | { type: "offset"; key: OffsetCommitKey; value: OffsetCommitValue | null }
  | { type: "group"; groupId: string; value: GroupMetadataValue | null }
  // Other key versions (transaction markers, KIP-848 consumer-group records): not ours to interpret.
  | { type: "other"; keyVersion: number };

const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
const GROUP_VALUE_VERSION = 3;
const OFFSET_VALUE_VERSION = 3;
const OFFSET_VALUE_VERSION_WITH_EXPIRY = 1;

export function encodeOffsetCommitKey(key: OffsetCommitKey): Buffer {
  return new ByteWriter()
    .int16(OFFSET_KEY_VERSION)
    .string(key.group)
    .string(key.topic)
    .int32(key.partition)
    .toBuffer();
}

// Value version 3 (with leader epoch), or version 1 when an explicit expire timestamp must be kept,
// which is what Kafka writes for the same commits.
export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  const w = new ByteWriter();
  if (value.expireTimestamp !== null) {
    return w
      .int16(OFFSET_VALUE_VERSION_WITH_EXPIRY)
      .int64(value.offset)
      .string(value.metadata)
      .int64(value.commitTimestamp)
      .int64(value.expireTimestamp)
      .toBuffer();
  }
  return w
    .int16(OFFSET_VALUE_VERSION)
    .int64(value.offset)
    .int32(value.leaderEpoch)
    .string(value.metadata)
    .int64(value.commitTimestamp)
    .toBuffer();
}

export function encodeOffsetCommitRecord(
  key: OffsetCommitKey,
  value: OffsetCommitValue | null,
): CoordinatorRecord {
  return { key: encodeOffsetCommitKey(key), value: value === null ? null : encodeOffsetCommitValue(value) };
}

export function encodeGroupMetadataKey(groupId: string): Buffer {
  return new ByteWriter().int16(GROUP_KEY_VERSION).string(groupId).toBuffer();
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  const w = new ByteWriter()
    .int16(GROUP_VALUE_VERSION)
    .string(value.protocolType)
    .int32(value.generation)
    .nullableString(value.protocol)
    .nullableString(value.leader)
    .int64(value.currentStateTimestamp)
    .int32(value.members.length);
  for (const m of value.members) {
    w.string(m.memberId)
      .nullableString(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeoutMs)
      .int32(m.sessionTimeoutMs)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return w.toBuffer();
}

export function encodeGroupMetadataRecord(
  groupId: string,
  value: GroupMetadataValue | null,
): CoordinatorRecord {
  return {
    key: encodeGroupMetadataKey(groupId),
    value: value === null ? null : encodeGroupMetadataValue(value),
  };
}

export function decodeRecord(record: CoordinatorRecord): DecodedRecord {
  const r = new ByteReader(record.key);
  const keyVersion = r.int16();
  if (keyVersion === 0 || keyVersion === 1) {
    const key = { group: r.string(), topic: r.string(), partition: r.int32() };
    return {
      type: "offset",
      key,
      value: record.value === null ? null : decodeOffsetCommitValue(record.value),
    };
  }
  if (keyVersion === 2) {
    const groupId = r.string();
    return {
      type: "group",
      groupId,
      value: record.value === null ? null : decodeGroupMetadataValue(record.value),
    };
  }
  return { type: "other", keyVersion };
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const version = buf.readInt16BE(0);
  if (version < 0 || version > 4) throw new RangeError(`unsupported offset commit value version ${version}`);
  const r = new ByteReader(buf.subarray(2), version >= 4);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = Number(r.int64());
  const expireTimestamp = version === 1 ? Number(r.int64()) : null;
  r.skipTaggedFields();
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const version = buf.readInt16BE(0);
  if (version < 0 || version > 4) throw new RangeError(`unsupported group metadata value version ${version}`);
  const r = new ByteReader(buf.subarray(2), version >= 4);
  const protocolType = r.string();
  const generation = r.int32();
  const protocol = r.nullableString();
  const leader = r.nullableString();
  const currentStateTimestamp = version >= 2 ? Number(r.int64()) : -1;
  const count = r.arrayLength();
  const members: GroupMemberRecord[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const rebalanceTimeout = version >= 1 ? r.int32() : null;
    const sessionTimeoutMs = r.int32();
    const subscription = r.bytes();
    const assignment = r.bytes();
    r.skipTaggedFields();
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      // Before version 1 the rebalance timeout was the session timeout.
      rebalanceTimeoutMs: rebalanceTimeout ?? sessionTimeoutMs,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  r.skipTaggedFields();
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
