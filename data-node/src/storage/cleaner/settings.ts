// What a topic's configs (the effective string map every replica gets from __meta) mean for its
// log: which cleanup the policy asks for, the retention limits that follow, and the compaction
// settings. A key that is absent takes Kafka's default.

export interface CleanupPolicy {
  compact: boolean;
  delete: boolean;
}

// Kafka's cleanup.policy: a list of "compact" and "delete"; "delete" by default.
export function cleanupPolicy(configs: Readonly<Record<string, string>>): CleanupPolicy {
  const words = (configs["cleanup.policy"] ?? "delete")
    .split(",")
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== "");
  return { compact: words.includes("compact"), delete: words.includes("delete") };
}

// Time and size retention apply only under "delete": a topic that is "compact" alone keeps the latest
// record of every key however old or large the log (Kafka's semantics; __consumer_offsets relies on it).
export function retentionLimits(configs: Readonly<Record<string, string>>): {
  retentionMs: number;
  retentionBytes: number;
} {
  if (!cleanupPolicy(configs).delete) return { retentionMs: -1, retentionBytes: -1 };
  return {
    retentionMs: numberOr(configs["retention.ms"], 7 * 24 * 3600 * 1000),
    retentionBytes: numberOr(configs["retention.bytes"], -1),
  };
}

export interface CompactionSettings {
  deleteRetentionMs: number;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
}

export function compactionSettings(configs: Readonly<Record<string, string>>): CompactionSettings {
  return {
    deleteRetentionMs: numberOr(configs["delete.retention.ms"], 24 * 3600 * 1000),
    minCleanableDirtyRatio: numberOr(configs["min.cleanable.dirty.ratio"], 0.5),
    minCompactionLagMs: numberOr(configs["min.compaction.lag.ms"], 0),
    // Kafka's Long.MAX_VALUE becomes ~9.2e18 here: never reached, as intended.
    maxCompactionLagMs: numberOr(configs["max.compaction.lag.ms"], Infinity),
  };
}

function numberOr(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}
