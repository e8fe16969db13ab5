import { ByteReader, ByteWriter } from "./bytes.ts";

// The "consumer" protocol's member metadata (subscription) and assignment bytes, versions 0-3.
// The coordinator treats them as opaque except to learn which topics a Stable group subscribes to;
// DescribeGroups tooling may decode them too. As in Kafka, a newer version is read with the newest
// known layout, and trailing fields a client left out take their defaults.

export const CONSUMER_PROTOCOL_TYPE = "consumer";

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface ConsumerSubscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: TopicPartitions[];
  generationId: number;
  rackId: string | null;
}

export interface ConsumerAssignment {
  version: number;
  assignedPartitions: TopicPartitions[];
  userData: Buffer | null;
}

function readTopicPartitions(r: ByteReader): TopicPartitions[] {
  const out: TopicPartitions[] = [];
  const count = r.arrayLength();
  for (let i = 0; i < count; i++) {
    const topic = r.string();
    const n = r.arrayLength();
    const partitions: number[] = [];
    for (let j = 0; j < n; j++) partitions.push(r.int32());
    out.push({ topic, partitions });
  }
  return out;
}

function writeTopicPartitions(w: ByteWriter, list: TopicPartitions[]): void {
  w.int32(list.length);
  for (const tp of list) {
    w.string(tp.topic).int32(tp.partitions.length);
    for (const p of tp.partitions) w.int32(p);
  }
}

export function decodeConsumerSubscription(buf: Buffer): ConsumerSubscription {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version < 0) throw new RangeError(`invalid consumer subscription version ${version}`);
  const topics: string[] = [];
  const count = r.arrayLength();
  for (let i = 0; i < count; i++) topics.push(r.string());
  const userData = r.remaining > 0 ? r.nullableBytes() : null;
  const ownedPartitions = version >= 1 && r.remaining > 0 ? readTopicPartitions(r) : [];
  const generationId = version >= 2 && r.remaining > 0 ? r.int32() : -1;
  const rackId = version >= 3 && r.remaining > 0 ? r.nullableString() : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

export function encodeConsumerSubscription(
  s: Omit<ConsumerSubscription, "version"> & { version?: number },
): Buffer {
  const version = s.version ?? 3;
  const w = new ByteWriter().int16(version).int32(s.topics.length);
  for (const t of s.topics) w.string(t);
  w.nullableBytes(s.userData);
  if (version >= 1) writeTopicPartitions(w, s.ownedPartitions);
  if (version >= 2) w.int32(s.generationId);
  if (version >= 3) w.nullableString(s.rackId);
  return w.toBuffer();
}

export function decodeConsumerAssignment(buf: Buffer): ConsumerAssignment {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version < 0) throw new RangeError(`invalid consumer assignment version ${version}`);
  const assignedPartitions = readTopicPartitions(r);
  const userData = r.remaining > 0 ? r.nullableBytes() : null;
  return { version, assignedPartitions, userData };
}

export function encodeConsumerAssignment(
  a: Omit<ConsumerAssignment, "version"> & { version?: number },
): Buffer {
  const w = new ByteWriter().int16(a.version ?? 3);
  writeTopicPartitions(w, a.assignedPartitions);
  return w.nullableBytes(a.userData).toBuffer();
}

// Topics a consumer group's members subscribe to, or null when any member's metadata is not
// readable as the consumer protocol (then nothing can be concluded about unsubscribed topics).
export function subscribedTopics(metadata: Iterable<Buffer>): Set<string> | null {
  const topics = new Set<string>();
  try {
    for (const m of metadata) for (const t of decodeConsumerSubscription(m).topics) topics.add(t);
  } catch {
    return null;
  }
  return topics;
}
