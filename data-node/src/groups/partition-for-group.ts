export const DEFAULT_OFFSETS_TOPIC_PARTITIONS = 50;

// java.lang.String#hashCode over UTF-16 code units, with 32-bit wrap-around.
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

// Kafka's Utils.abs: like Math.abs, except Integer.MIN_VALUE maps to 0 instead of itself.
function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

// The `__consumer_offsets` partition that owns a group, exactly as Kafka computes it, so that
// FindCoordinator answers agree with what a Kafka cluster with the same partition count would say.
export function partitionForGroup(groupId: string, numPartitions = DEFAULT_OFFSETS_TOPIC_PARTITIONS): number {
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions;
}
