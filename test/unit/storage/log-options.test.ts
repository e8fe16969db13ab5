import { describe, expect, it } from "vitest";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { appendData } from "./batches.ts";
import { tmpDir } from "./tmp.ts";

describe("DurableLog.setOptions (a topic config change)", () => {
  it("applies new segment and retention limits to the open log at once", async () => {
    const log = await DurableLog.open({ dir: tmpDir(), recordBatches: true, segmentBytes: 1 << 20 });
    appendData(log, 10, 1, 2);
    expect(log.segmentCount()).toBe(1);
    log.setOptions({ segmentBytes: 300, retentionBytes: 600 });
    appendData(log, 20, 1, 2);
    expect(log.segmentCount()).toBeGreaterThan(3);
    expect(await log.enforceRetention()).toBeGreaterThan(0);
    expect(log.firstIndex()).toBeGreaterThan(10);
    expect(log.sizeBytes()).toBeGreaterThanOrEqual(600);
    await log.close();
  });
});
