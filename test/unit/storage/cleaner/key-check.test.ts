import { describe, expect, it } from "vitest";
import { firstKeylessBatch } from "../../../../data-node/src/storage/cleaner/batch-records.ts";
import { Codec } from "../../../../data-node/src/storage/cleaner/compression.ts";
import { keyedBatch } from "./batches.ts";

describe("the key check of compacted topics", () => {
  it.each([
    ["uncompressed", Codec.NONE],
    ["gzip", Codec.GZIP],
    ["snappy", Codec.SNAPPY],
    ["lz4", Codec.LZ4],
    ["zstd", Codec.ZSTD],
  ])("finds a record without a key inside a %s batch", async (_name, codec) => {
    const keyed = await keyedBatch(0, [["a", "1"]], { codec });
    const keyless = await keyedBatch(
      1,
      [
        ["b", "1"],
        [null, "2"],
      ],
      { codec },
    );
    expect(await firstKeylessBatch([keyed])).toBe(-1);
    expect(await firstKeylessBatch([keyed, keyless])).toBe(1);
  });

  it("refuses a batch it cannot decompress", async () => {
    const broken = await keyedBatch(0, [["a", "1"]], { codec: Codec.GZIP });
    broken.fill(0, 61);
    await expect(firstKeylessBatch([broken])).rejects.toThrow(/cannot decompress/);
  });
});
