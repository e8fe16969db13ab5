import { describe, expect, it } from "vitest";
import {
  type PlanInput,
  planCleaning,
  type SegmentInfo,
} from "../../../../data-node/src/storage/cleaner/plan.ts";
import {
  cleanupPolicy,
  compactionSettings,
  retentionLimits,
} from "../../../../data-node/src/storage/cleaner/settings.ts";

const NOW = 10_000_000;
// Ten sealed segments of 100 offsets and 1000 bytes, written a second apart, the last one a second ago.
const sealed: SegmentInfo[] = Array.from({ length: 10 }, (_, i) => ({
  baseOffset: i * 100,
  nextOffset: (i + 1) * 100,
  size: 1000,
  maxTimestamp: NOW - (10 - i) * 1000,
  createdAtMs: NOW - (11 - i) * 1000,
}));

const input = (extra: Partial<PlanInput> = {}): PlanInput => ({
  sealed,
  activeBaseOffset: 1000,
  logStartOffset: 0,
  highWatermark: 1050,
  firstDirty: 0,
  tombstoneHorizon: null,
  now: NOW,
  settings: compactionSettings({}),
  ...extra,
});

describe("planning a cleaning", () => {
  it("cleans up to the active segment once the dirty share passes min.cleanable.dirty.ratio", () => {
    expect(planCleaning(input())).toMatchObject({
      firstDirty: 0,
      end: 1000,
      dirtyRatio: 1,
      reason: "dirty ratio",
    });
    // 4 of 10 segments dirty: 0.4, not above the default 0.5.
    expect(planCleaning(input({ firstDirty: 600 }))).toBeNull();
    const eager = compactionSettings({ "min.cleanable.dirty.ratio": "0.3" });
    expect(planCleaning(input({ firstDirty: 600, settings: eager }))).toMatchObject({
      firstDirty: 600,
      end: 1000,
    });
  });

  it("never passes the high watermark, and starts at the log start", () => {
    expect(planCleaning(input({ highWatermark: 750 }))).toMatchObject({ end: 750 });
    expect(planCleaning(input({ logStartOffset: 300 }))).toMatchObject({ firstDirty: 300 });
  });

  it("leaves segments with records younger than min.compaction.lag.ms", () => {
    const settings = compactionSettings({ "min.compaction.lag.ms": "4500" });
    // Segments 6..9 hold records from the last 4.5 s.
    expect(planCleaning(input({ settings }))).toMatchObject({ end: 600 });
  });

  it("cleans a dirty log below the ratio once max.compaction.lag.ms has passed", () => {
    const lagged = compactionSettings({ "max.compaction.lag.ms": "2500" });
    expect(planCleaning(input({ firstDirty: 800, settings: lagged }))).toMatchObject({
      reason: "max compaction lag",
    });
    expect(planCleaning(input({ firstDirty: 800, settings: compactionSettings({}) }))).toBeNull();
  });

  it("cleans when a tombstone's delete horizon has passed, even without dirt", () => {
    expect(planCleaning(input({ firstDirty: 1000, tombstoneHorizon: NOW - 1 }))).toMatchObject({
      firstDirty: 1000,
      end: 1000,
      reason: "tombstone horizon",
    });
    expect(planCleaning(input({ firstDirty: 1000, tombstoneHorizon: NOW }))).toBeNull();
  });
});

describe("retention by cleanup policy", () => {
  const configs = { "retention.ms": "1000", "retention.bytes": "5000" };
  it("applies time and size retention under delete only", () => {
    expect(retentionLimits({ ...configs, "cleanup.policy": "delete" })).toEqual({
      retentionMs: 1000,
      retentionBytes: 5000,
    });
    expect(retentionLimits({ ...configs, "cleanup.policy": "compact,delete" })).toEqual({
      retentionMs: 1000,
      retentionBytes: 5000,
    });
    expect(retentionLimits({ ...configs, "cleanup.policy": "compact" })).toEqual({
      retentionMs: -1,
      retentionBytes: -1,
    });
  });

  it("reads Kafka's defaults when a key is absent", () => {
    expect(cleanupPolicy({})).toEqual({ compact: false, delete: true });
    expect(cleanupPolicy({ "cleanup.policy": " Delete , compact" })).toEqual({ compact: true, delete: true });
    expect(retentionLimits({})).toEqual({ retentionMs: 7 * 24 * 3600 * 1000, retentionBytes: -1 });
    expect(compactionSettings({})).toEqual({
      deleteRetentionMs: 86_400_000,
      minCleanableDirtyRatio: 0.5,
      minCompactionLagMs: 0,
      maxCompactionLagMs: Infinity,
    });
  });
});
