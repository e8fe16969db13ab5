import type { CompactionSettings } from "./settings.ts";

// The leader's choice of whether and what to clean (Kafka's LogCleanerManager.cleanableOffsets and
// grabFilthiestCompactedLog), over its own segments: sizes, offsets and timestamps only, no reads.

export interface SegmentInfo {
  baseOffset: number;
  nextOffset: number;
  size: number;
  maxTimestamp: number;
  createdAtMs: number;
}

export interface PlanInput {
  // Sealed segments, oldest first; the active segment is never cleaned.
  sealed: readonly SegmentInfo[];
  activeBaseOffset: number;
  logStartOffset: number;
  highWatermark: number;
  // Where the last cleaning ended (the log start before any).
  firstDirty: number;
  // The earliest delete horizon of a tombstone still in the log.
  tombstoneHorizon: number | null;
  now: number;
  settings: CompactionSettings;
}

export interface CleaningPlan {
  firstDirty: number;
  end: number;
  cleanableBytes: number;
  dirtyRatio: number;
  reason: "dirty ratio" | "max compaction lag" | "tombstone horizon";
}

export function planCleaning(i: PlanInput): CleaningPlan | null {
  const { settings: s, now } = i;
  const firstDirty = Math.max(i.firstDirty, i.logStartOffset);
  // Not past the committed data, the active segment, nor a segment with a record younger than the
  // minimum compaction lag.
  let end = Math.min(i.highWatermark, i.activeBaseOffset);
  if (s.minCompactionLagMs > 0) {
    const young = i.sealed.find(
      (g) => g.nextOffset > firstDirty && g.maxTimestamp > now - s.minCompactionLagMs,
    );
    if (young) end = Math.min(end, young.baseOffset);
  }
  end = Math.max(end, firstDirty);
  let cleanBytes = 0;
  let cleanableBytes = 0;
  let oldestDirty = Infinity;
  for (const g of i.sealed) {
    if (g.nextOffset <= i.logStartOffset) continue;
    if (g.nextOffset <= firstDirty) cleanBytes += g.size;
    else if (g.baseOffset < end) cleanableBytes += g.size;
    // Kafka measures the lag from the segment's first batch; a segment is created for its first.
    if (g.nextOffset > firstDirty) oldestDirty = Math.min(oldestDirty, g.createdAtMs);
  }
  const dirtyRatio = cleanableBytes === 0 ? 0 : cleanableBytes / (cleanBytes + cleanableBytes);
  const plan = { firstDirty, end, cleanableBytes, dirtyRatio };
  if (cleanableBytes > 0 && dirtyRatio > s.minCleanableDirtyRatio) return { ...plan, reason: "dirty ratio" };
  if (cleanableBytes > 0 && oldestDirty < now - s.maxCompactionLagMs)
    return { ...plan, reason: "max compaction lag" };
  // Beyond Kafka, which removes a due tombstone only when dirt triggers the next cleaning: a quiet
  // topic would keep its tombstones for good.
  if (i.tombstoneHorizon !== null && now > i.tombstoneHorizon)
    return { ...plan, reason: "tombstone horizon" };
  return null;
}
