import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../../data-node/src/kafka/protocol/errors.ts";
import { commit } from "../../groups/harness.ts";
import { groupContext } from "./group-context.ts";

// Offsets of orders 0 and 1 for a group that does not use group management.
const offsetsOnly = (t: ReturnType<typeof groupContext>, groupId: string) =>
  commit(
    t.groups,
    t.clock.now,
    [0, 1].map((partition) => ({ topic: "orders", partition, offset: 10n })),
    { groupId },
  );

describe("DeleteGroups and OffsetDelete handlers", () => {
  it.each([0, 1, 2])("DeleteGroups v%i answers per group", async (v) => {
    const t = groupContext();
    await offsetsOnly(t, "old-app");
    const res = await t.call(42, v, { groupsNames: ["old-app", "never-was"] });
    expect(res.results).toEqual([
      { groupId: "old-app", errorCode: 0 },
      { groupId: "never-was", errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    expect(t.groups.groupState("old-app")).toBe("Dead");
  });

  it("OffsetDelete answers per partition, UNKNOWN_TOPIC_OR_PARTITION for partitions the cluster lacks", async () => {
    const t = groupContext();
    await offsetsOnly(t, "app");
    const res = await t.call(47, 0, {
      groupId: "app",
      topics: [
        { name: "orders", partitions: [{ partitionIndex: 0 }, { partitionIndex: 9 }] },
        { name: "missing", partitions: [{ partitionIndex: 0 }] },
      ],
    });
    expect(res).toEqual({
      errorCode: 0,
      throttleTimeMs: 0,
      topics: [
        {
          name: "orders",
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
          ],
        },
        {
          name: "missing",
          partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }],
        },
      ],
    });
    const left = t.groups.fetchOffsets({ groupId: "app", topics: null }).topics;
    expect(left.flatMap((x) => x.partitions.map((p) => p.partitionIndex))).toEqual([1]);
  });

  it("OffsetDelete answers a group error at the top, without topics", async () => {
    const t = groupContext();
    const res = await t.call(47, 0, {
      groupId: "never-was",
      topics: [{ name: "orders", partitions: [{ partitionIndex: 0 }] }],
    });
    expect(res).toEqual({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] });
  });
});
