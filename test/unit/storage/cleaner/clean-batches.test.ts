import { describe, expect, it } from "vitest";
import { cleanBatches } from "../../../../data-node/src/storage/cleaner/clean-pass.ts";
import { Codec } from "../../../../data-node/src/storage/cleaner/compression.ts";
import { BATCH, batchProblem, readInt64 } from "../../../../data-node/src/storage/record-batch.ts";
import { allRecords, keyedBatch, type Rec, recordsOf } from "./batches.ts";

const BIG_MAP = 64 * 1024 * 1024;
const decision = (firstDirty: number, end: number, now = 10_000, extra = {}) => ({
  firstDirty,
  end,
  now,
  deleteRetentionMs: 5000,
  removeTombstones: true,
  ...extra,
});

// Batches laid out back to back from offset 0, as a log holds them.
async function log(batches: Rec[][], o: Parameters<typeof keyedBatch>[2] = {}): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let offset = 0;
  for (const recs of batches) {
    out.push(await keyedBatch(offset, recs, o));
    offset += recs.length;
  }
  return out;
}

function header(b: Buffer) {
  return {
    baseOffset: readInt64(b, BATCH.baseOffset),
    lastOffsetDelta: b.readInt32BE(BATCH.lastOffsetDelta),
    epoch: b.readInt32BE(BATCH.partitionLeaderEpoch),
    producerId: readInt64(b, BATCH.producerId),
    producerEpoch: b.readInt16BE(BATCH.producerEpoch),
    baseSequence: b.readInt32BE(BATCH.baseSequence),
    records: b.readInt32BE(BATCH.recordsCount),
  };
}

const keyValues = async (bs: Buffer[]) => (await allRecords(bs)).map((r) => [r.offset, r.key, r.value]);

describe("cleaning batches", () => {
  it("keeps the latest record of every key at its offset, batch offsets and CRCs intact", async () => {
    const input = await log([
      [
        ["a", "1"],
        ["b", "1"],
        ["c", "1"],
      ],
      [
        ["a", "2"],
        ["b", "2"],
      ],
      [["a", "3"]],
    ]);
    const out = await cleanBatches(input, decision(0, 6), BIG_MAP);
    expect(await keyValues(out)).toEqual([
      [2, "c", "1"],
      [4, "b", "2"],
      [5, "a", "3"],
    ]);
    expect(out.map(header)).toEqual(input.map((b) => ({ ...header(b), records: expect.any(Number) })));
    for (const b of out) expect(batchProblem(b)).toBeNull();
    // A batch with nothing to remove is passed through as it is.
    expect(out[2]).toBe(input[2]);
  });

  it("lets a later dirty section supersede the clean one; an emptied batch keeps its header", async () => {
    const input = await log([
      [
        ["a", "1"],
        ["b", "1"],
      ],
      [["b", "2"]],
    ]);
    const once = await cleanBatches(input, decision(0, 3), BIG_MAP);
    const more = await keyedBatch(3, [["a", "2"]]);
    const twice = await cleanBatches([...once, more], decision(3, 4), BIG_MAP);
    expect(await keyValues(twice)).toEqual([
      [2, "b", "2"],
      [3, "a", "2"],
    ]);
    expect(header(twice[0])).toEqual({ ...header(input[0]), records: 0 });
    expect(twice[0].length).toBe(BATCH.headerSize);
    expect(batchProblem(twice[0])).toBeNull();
  });

  it("cleans nothing at or past the decision's end", async () => {
    const input = await log([[["a", "1"]], [["a", "2"]], [["a", "3"]]]);
    const out = await cleanBatches(input, decision(0, 2), BIG_MAP);
    expect(await keyValues(out)).toEqual([
      [1, "a", "2"],
      [2, "a", "3"],
    ]);
    expect(out[2]).toBe(input[2]);
  });

  it("keeps a tombstone until a cleaning after its delete horizon, set when it was first cleaned", async () => {
    const input = await log([[["a", "1"]], [["a", null]], [["b", "1"]]], { timestamp: 4000 });
    const first = await cleanBatches(input, decision(0, 3, 10_000), BIG_MAP);
    expect(await keyValues(first)).toEqual([
      [1, "a", null],
      [2, "b", "1"],
    ]);
    // KIP-534: the horizon (now + delete.retention.ms) is the base timestamp, flagged in the attributes;
    // record timestamps are unchanged.
    expect(first[1].readInt16BE(BATCH.attributes) & 0x40).toBe(0x40);
    expect(readInt64(first[1], BATCH.baseTimestamp)).toBe(15_000);
    expect((await recordsOf(first[1]))[0].timestamp).toBe(4000);
    expect(batchProblem(first[1])).toBeNull();

    const atHorizon = await cleanBatches(first, decision(3, 3, 15_000), BIG_MAP);
    expect(await keyValues(atHorizon)).toEqual(await keyValues(first));
    const gated = await cleanBatches(first, decision(3, 3, 20_000, { removeTombstones: false }), BIG_MAP);
    expect(await keyValues(gated)).toEqual(await keyValues(first));
    const after = await cleanBatches(first, decision(3, 3, 15_001), BIG_MAP);
    expect(await keyValues(after)).toEqual([[2, "b", "1"]]);
    expect(header(after[1]).records).toBe(0);
  });

  it("gives the same bytes in several passes with a small offset map as in one with a large map", async () => {
    const batches: Rec[][] = [];
    for (let v = 0; v < 20; v++) {
      const recs: Rec[] = [];
      for (let k = 0; k < 30; k++) {
        const key = `key-${(k * 7 + v) % 30}`;
        recs.push([key, v === 19 && k % 5 === 0 ? null : `v${v}`]);
      }
      batches.push(recs);
    }
    const input = await log(batches);
    const one = await cleanBatches(input, decision(0, 600), BIG_MAP);
    // Room for about two keys per pass: dozens of passes.
    const many = await cleanBatches(input, decision(0, 600), 150);
    expect(many.map((b) => b.toString("hex"))).toEqual(one.map((b) => b.toString("hex")));
    const live = (await allRecords(one)).filter((r) => r.value !== null);
    expect(new Set(live.map((r) => r.key)).size).toBe(live.length);
    expect(live.length).toBe(24);
    // And cleaning again with the same decision changes nothing (a replica re-running it after a crash).
    const again = await cleanBatches(one, decision(0, 600), 150);
    expect(again.map((b) => b.toString("hex"))).toEqual(one.map((b) => b.toString("hex")));
  });

  it.each([
    ["gzip", Codec.GZIP, false],
    ["snappy", Codec.SNAPPY, false],
    ["snappy (xerial framing)", Codec.SNAPPY, true],
    ["lz4", Codec.LZ4, false],
    ["zstd", Codec.ZSTD, false],
  ])("re-writes %s batches with the same codec", async (_name, codec, xerial) => {
    const input = await log(
      [
        [
          ["a", "1"],
          ["b", "1"],
          ["c", "1"],
        ],
        [["a", "2"]],
      ],
      { codec, xerial },
    );
    const out = await cleanBatches(input, decision(0, 4), BIG_MAP);
    expect(out[0].readInt16BE(BATCH.attributes) & 0x07).toBe(codec);
    expect(batchProblem(out[0])).toBeNull();
    expect(await keyValues(out)).toEqual([
      [1, "b", "1"],
      [2, "c", "1"],
      [3, "a", "2"],
    ]);
    const xerialMagic = out[0].subarray(BATCH.headerSize, BATCH.headerSize + 8).toString("latin1");
    expect(xerialMagic === "\x82SNAPPY\x00").toBe(xerial);
  });

  it("keeps an idempotent producer's id, epoch, base sequence and last offset delta", async () => {
    const producer = { id: 7, epoch: 2, seq: 10 };
    const first = await keyedBatch(
      0,
      [
        ["a", "1"],
        ["b", "1"],
        ["c", "1"],
      ],
      { producer },
    );
    const second = await keyedBatch(
      3,
      [
        ["a", "2"],
        ["c", "2"],
      ],
      { producer: { ...producer, seq: 13 } },
    );
    const emptied = await keyedBatch(5, [["b", "0"]], { producer: { ...producer, seq: 15 } });
    const last = await keyedBatch(6, [["b", "2"]], { producer: { ...producer, seq: 16 } });
    const out = await cleanBatches([first, second, emptied, last], decision(0, 7), BIG_MAP);
    expect(out.map(header)).toEqual(
      [first, second, emptied, last].map((b, i) => ({ ...header(b), records: [0, 2, 0, 1][i] })),
    );
    for (const b of out) expect(batchProblem(b)).toBeNull();
  });

  it("drops records without a key, which compaction cannot place", async () => {
    const input = await log([
      [
        [null, "x"],
        ["a", "1"],
      ],
    ]);
    expect(await keyValues(await cleanBatches(input, decision(0, 2), BIG_MAP))).toEqual([[1, "a", "1"]]);
  });
});
