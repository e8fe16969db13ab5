import { describe, expect, it } from "vitest";
import { planCreateTopic } from "../../../data-node/src/meta/topics.ts";
import { clusterOf } from "./fixtures.ts";

const plan = (assignments: { partitionIndex: number; brokerIds: number[] }[], brokers = clusterOf(3)) =>
  planCreateTopic(brokers.image, {
    name: "t",
    partitions: -1,
    replicationFactor: -1,
    assignments,
    topicId: "id-t",
  });

describe("CreateTopics with a manual replica assignment", () => {
  it("places each partition exactly as asked, the first broker the preferred leader", () => {
    const p = plan([
      { partitionIndex: 1, brokerIds: [3, 1] },
      { partitionIndex: 0, brokerIds: [2, 3] },
      { partitionIndex: 2, brokerIds: [1, 2] },
    ]);
    if ("error" in p) throw new Error(p.message);
    expect(p.record.partitions).toEqual([
      { partition: 0, replicas: [2, 3], leader: 2, leaderEpoch: 0, isr: [2, 3] },
      { partition: 1, replicas: [3, 1], leader: 3, leaderEpoch: 0, isr: [3, 1] },
      { partition: 2, replicas: [1, 2], leader: 1, leaderEpoch: 0, isr: [1, 2] },
    ]);
  });

  it.each([
    [
      "a gap in the partition numbers",
      [
        { partitionIndex: 0, brokerIds: [1] },
        { partitionIndex: 2, brokerIds: [2] },
      ],
    ],
    ["numbers not starting at 0", [{ partitionIndex: 1, brokerIds: [1] }]],
    [
      "a partition twice",
      [
        { partitionIndex: 0, brokerIds: [1] },
        { partitionIndex: 0, brokerIds: [2] },
      ],
    ],
    ["an empty replica list", [{ partitionIndex: 0, brokerIds: [] }]],
    ["a broker twice", [{ partitionIndex: 0, brokerIds: [1, 1] }]],
    ["an unregistered broker", [{ partitionIndex: 0, brokerIds: [1, 7] }]],
    [
      "replica counts that differ",
      [
        { partitionIndex: 0, brokerIds: [1, 2] },
        { partitionIndex: 1, brokerIds: [3] },
      ],
    ],
  ])("refuses %s with INVALID_REPLICA_ASSIGNMENT", (_, assignments) => {
    expect(plan(assignments)).toMatchObject({
      error: "INVALID_REPLICA_ASSIGNMENT",
      message: expect.any(String),
    });
  });

  it("accepts a fenced broker beside an active one (led by the active one) but not fenced brokers alone", () => {
    const b = clusterOf(3);
    const [fenced] = b.apply({
      type: "fence_broker",
      nodeId: 2,
      brokerEpoch: b.image.broker(2)!.epoch,
      timestamp: 2,
    });
    expect(fenced.ok).toBe(true);
    const ok = plan([{ partitionIndex: 0, brokerIds: [2, 3] }], b);
    if ("error" in ok) throw new Error(ok.message);
    expect(ok.record.partitions[0]).toMatchObject({ replicas: [2, 3], leader: 3, isr: [3] });
    expect(plan([{ partitionIndex: 0, brokerIds: [2] }], b)).toMatchObject({
      error: "INVALID_REPLICA_ASSIGNMENT",
    });
  });
});
