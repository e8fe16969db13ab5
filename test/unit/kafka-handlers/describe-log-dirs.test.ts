import { describe, expect, it } from "vitest";
import { createDescribeLogDirsHandler } from "../../../data-node/src/kafka/handlers/describe-log-dirs.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { DescribeLogDirsResponse } from "../../../data-node/src/kafka/protocol/generated/describe-log-dirs-response.ts";
import { addTopic, batchOf, fakeContext, rctx, roundTrip, versions } from "./fakes.ts";

function setup() {
  const ctx = fakeContext();
  const [a0, a1] = addTopic(ctx, "a", 2);
  addTopic(ctx, "b", 1);
  a0.append(batchOf("x", "y"));
  a1.append(batchOf("z"));
  return { ctx, sizes: [a0, a1].map((p) => BigInt(p.log[0].length)) };
}

async function describeLogDirs(
  ctx: ReturnType<typeof setup>["ctx"],
  topics: { topic: string; partitions: number[] }[] | null,
  v = 4,
) {
  return roundTrip(
    35,
    (await createDescribeLogDirsHandler(ctx)({ topics }, rctx(v))) as DescribeLogDirsResponse,
    v,
  );
}

const partition = (partitionIndex: number, partitionSize: bigint) => ({
  partitionIndex,
  partitionSize,
  offsetLag: 0n,
  isFutureKey: false,
});

describe("DescribeLogDirs handler", () => {
  it("describes the one log dir: every replica's size, and the file system's space (v4)", async () => {
    const { ctx, sizes } = setup();
    const res = await describeLogDirs(ctx, null);
    expect(res).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      results: [
        {
          errorCode: 0,
          logDir: "/data/node1",
          topics: [
            { name: "a", partitions: [partition(0, sizes[0]), partition(1, sizes[1])] },
            { name: "b", partitions: [partition(0, 0n)] },
          ],
          totalBytes: 1000n,
          usableBytes: 400n,
        },
      ],
    });
  });

  it("answers only the partitions asked for, listing the dir's other topics empty as Kafka does", async () => {
    const { ctx, sizes } = setup();
    const res = await describeLogDirs(ctx, [{ topic: "a", partitions: [1, 5] }]);
    expect(res.results[0].topics).toEqual([
      { name: "a", partitions: [partition(1, sizes[1])] },
      { name: "b", partitions: [] },
    ]);
  });

  it("every version encodes; the space appears from v4", async () => {
    for (const v of versions(35)) {
      const { ctx } = setup();
      const [dir] = (await describeLogDirs(ctx, null, v)).results;
      expect(dir.topics).toHaveLength(2);
      expect(dir.totalBytes).toBe(v >= 4 ? 1000n : -1n);
    }
  });

  it("reports a file system it cannot read as a storage error", async () => {
    const { ctx } = setup();
    ctx.logDir = async () => ({ path: "/data/node1", partitions: [], space: null });
    const [dir] = (await describeLogDirs(ctx, null)).results;
    expect(dir).toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, topics: [] });
  });
});
