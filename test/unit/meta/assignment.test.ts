import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignReplicas } from "../../../data-node/src/meta/assignment.ts";
import type { MetaImage } from "../../../data-node/src/meta/image.ts";
import {
  planCreatePartitions,
  planCreateTopic,
  planDeleteTopic,
} from "../../../data-node/src/meta/topics.ts";
import { clusterOf, type ImageBuilder } from "./fixtures.ts";

function load(image: MetaImage): { replicas: Map<number, number>; leaders: Map<number, number> } {
  const replicas = new Map<number, number>();
  const leaders = new Map<number, number>();
  for (const b of image.brokers()) {
    replicas.set(b.nodeId, 0);
    leaders.set(b.nodeId, 0);
  }
  for (const t of image.topics()) {
    for (const p of t.partitions) {
      for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1);
      if (p.leader !== null) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
    }
  }
  return { replicas, leaders };
}

function spread(m: Map<number, number>): number {
  return Math.max(...m.values()) - Math.min(...m.values());
}

function create(b: ImageBuilder, name: string, partitions: number, replicationFactor: number) {
  const plan = planCreateTopic(b.image, { name, partitions, replicationFactor, topicId: `id-${name}` });
  if ("error" in plan) throw new Error(plan.message);
  const [res] = b.apply(plan.record);
  expect(res.ok).toBe(true);
  return plan.record;
}

describe("replica assignment", () => {
  it.each([
    { rf: 1, topics: 20, partitions: 1 },
    { rf: 1, topics: 7, partitions: 5 },
    { rf: 2, topics: 20, partitions: 1 },
    { rf: 2, topics: 10, partitions: 4 },
    { rf: 3, topics: 20, partitions: 1 },
    { rf: 3, topics: 6, partitions: 7 },
  ])("3 brokers, $topics topics x $partitions partitions, RF $rf: replicas and leaders within one", (c) => {
    const b = clusterOf(3);
    for (let i = 0; i < c.topics; i++) create(b, `t${i}`, c.partitions, c.rf);
    const { replicas, leaders } = load(b.image);
    expect(spread(replicas)).toBeLessThanOrEqual(1);
    expect(spread(leaders)).toBeLessThanOrEqual(1);
    for (const t of b.image.topics()) {
      for (const p of t.partitions) {
        expect(new Set(p.replicas).size).toBe(c.rf);
        expect(p.leader).toBe(p.replicas[0]);
        expect(p.isr).toEqual(p.replicas);
        expect(p.leaderEpoch).toBe(0);
      }
    }
  });

  // Exact balance of both counts is not always reachable greedily once replication factors mix (RF 1
  // topics tie leaders to replicas), so mixed shapes are held to within two on each count.
  it("stays balanced for any mix of topic shapes on 3 to 6 brokers", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ partitions: fc.integer({ min: 1, max: 6 }), rf: fc.integer({ min: 1, max: 3 }) }),
          {
            minLength: 1,
            maxLength: 25,
          },
        ),
        fc.integer({ min: 3, max: 6 }),
        (shapes, brokers) => {
          const b = clusterOf(brokers);
          for (const [i, s] of shapes.entries()) create(b, `t${i}`, s.partitions, s.rf);
          const { replicas, leaders } = load(b.image);
          expect(spread(replicas)).toBeLessThanOrEqual(2);
          expect(spread(leaders)).toBeLessThanOrEqual(2);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("spreads each partition across racks when racks are set", () => {
    const b = clusterOf(6, ["east", "east", "west", "west", "north", "north"]);
    for (let i = 0; i < 8; i++) create(b, `t${i}`, 3, 3);
    for (const t of b.image.topics()) {
      for (const p of t.partitions) {
        const racks = new Set(p.replicas.map((r) => b.image.broker(r)?.rack));
        expect(racks.size).toBe(3);
      }
    }
    expect(spread(load(b.image).replicas)).toBeLessThanOrEqual(1);
  });

  it("uses only unfenced brokers and refuses an RF larger than them", () => {
    const b = clusterOf(3);
    b.apply({ type: "fence_broker", nodeId: 2, brokerEpoch: 3, timestamp: 1 });
    const plan = planCreateTopic(b.image, { name: "big", partitions: 1, replicationFactor: 3, topicId: "x" });
    expect(plan).toMatchObject({ error: "INVALID_REPLICATION_FACTOR" });
    const ok = planCreateTopic(b.image, { name: "small", partitions: 4, replicationFactor: 2, topicId: "y" });
    if ("error" in ok) throw new Error(ok.message);
    expect(ok.record.partitions.every((p) => !p.replicas.includes(2))).toBe(true);
    expect(assignReplicas(b.image, { partitions: 1, replicationFactor: 0 })).toMatchObject({
      error: "INVALID_REPLICATION_FACTOR",
    });
    expect(assignReplicas(b.image, { partitions: 0, replicationFactor: 1 })).toMatchObject({
      error: "INVALID_PARTITIONS",
    });
  });

  it("validates names and existence", () => {
    const b = clusterOf(1);
    create(b, "orders", 1, 1);
    expect(
      planCreateTopic(b.image, { name: "orders", partitions: 1, replicationFactor: 1, topicId: "z" }),
    ).toMatchObject({
      error: "TOPIC_ALREADY_EXISTS",
    });
    for (const name of ["", ".", "..", "bad name", "x".repeat(250)]) {
      expect(
        planCreateTopic(b.image, { name, partitions: 1, replicationFactor: 1, topicId: "z" }),
      ).toMatchObject({
        error: "INVALID_TOPIC_EXCEPTION",
      });
    }
    const internal = planCreateTopic(b.image, {
      name: "__consumer_offsets",
      partitions: 1,
      replicationFactor: 1,
      topicId: "c",
    });
    expect(internal).toMatchObject({ record: { internal: true } });
    expect(planDeleteTopic(b.image, "orders")).toEqual({
      record: { type: "delete_topic", name: "orders", topicId: "id-orders" },
    });
    expect(planDeleteTopic(b.image, "nope")).toMatchObject({ error: "UNKNOWN_TOPIC_OR_PARTITION" });
  });

  it("adds partitions with the topic's RF, numbered after the existing ones", () => {
    const b = clusterOf(3);
    create(b, "orders", 2, 2);
    expect(planCreatePartitions(b.image, { topic: "orders", totalCount: 2 })).toMatchObject({
      error: "INVALID_PARTITIONS",
    });
    const plan = planCreatePartitions(b.image, { topic: "orders", totalCount: 5 });
    if ("error" in plan) throw new Error(plan.message);
    expect(plan.record.partitions.map((p) => [p.partition, p.replicas.length])).toEqual([
      [2, 2],
      [3, 2],
      [4, 2],
    ]);
    expect(b.apply(plan.record)[0].ok).toBe(true);
    expect(spread(load(b.image).replicas)).toBeLessThanOrEqual(1);
  });
});
