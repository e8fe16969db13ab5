import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeMetaBatch } from "../../../data-node/src/meta/codec.ts";
import { MetaImage } from "../../../data-node/src/meta/image.ts";
import type { CreateTopic } from "../../../data-node/src/meta/records.ts";
import { toRegistrySnapshot } from "../../../data-node/src/meta/registry-snapshot.ts";
import { registrySnapshotSchema } from "../../../shared/registry/snapshot.ts";
import { clusterOf, ImageBuilder, reg } from "./fixtures.ts";

function topic(name: string, partitions: number[][], id = `id-${name}`): CreateTopic {
  return {
    type: "create_topic",
    name,
    topicId: id,
    internal: false,
    configs: {},
    partitions: partitions.map((replicas, partition) => ({
      partition,
      replicas,
      leader: replicas[0],
      leaderEpoch: 0,
      isr: [...replicas],
    })),
  };
}

describe("MetaImage: brokers", () => {
  it("gives each registration the Raft index of its entry as broker epoch", () => {
    const image = new MetaImage();
    expect(image.apply(reg(1), 5, 1)).toEqual({ ok: true, brokerEpoch: 5 });
    expect(image.apply(reg(2), 9, 2)).toEqual({ ok: true, brokerEpoch: 9 });
    expect(image.broker(1)).toMatchObject({ epoch: 5, state: "registered", incarnationId: "inc-1-a" });
    expect(image.appliedIndex).toBe(9);
    expect(image.appliedTerm).toBe(2);
  });

  it("keeps the epoch and state when the same incarnation registers again", () => {
    const b = new ImageBuilder();
    const [first] = b.apply(reg(1));
    b.apply({ type: "unfence_broker", nodeId: 1, brokerEpoch: 1, timestamp: 2 });
    const [again] = b.apply(reg(1, { listeners: [{ name: "PLAINTEXT", host: "10.0.0.1", port: 9092 }] }));
    expect(first).toEqual({ ok: true, brokerEpoch: 1 });
    expect(again).toEqual({ ok: true, brokerEpoch: 1 });
    expect(b.image.broker(1)).toMatchObject({ epoch: 1, state: "unfenced" });
    expect(b.image.broker(1)?.listeners[0].host).toBe("10.0.0.1");
  });

  it("refuses a second incarnation while the first is not fenced, accepts it once fenced", () => {
    const b = new ImageBuilder();
    b.apply(reg(1), { type: "unfence_broker", nodeId: 1, brokerEpoch: 1, timestamp: 2 });
    const [dup] = b.apply(reg(1, { incarnationId: "inc-1-b" }));
    expect(dup).toMatchObject({ ok: false, error: "DUPLICATE_BROKER_REGISTRATION" });
    expect(b.image.broker(1)?.incarnationId).toBe("inc-1-a");

    b.apply({ type: "fence_broker", nodeId: 1, brokerEpoch: 1, timestamp: 3 });
    const index = b.nextIndex;
    const [second] = b.apply(reg(1, { incarnationId: "inc-1-b" }));
    expect(second).toEqual({ ok: true, brokerEpoch: index });
    expect(b.image.broker(1)).toMatchObject({ incarnationId: "inc-1-b", epoch: index, state: "registered" });
  });

  it("fences, unfences, marks shutting down and unregisters by current epoch only", () => {
    const b = new ImageBuilder();
    b.apply(reg(1));
    expect(b.apply({ type: "unfence_broker", nodeId: 1, brokerEpoch: 1, timestamp: 2 })[0].ok).toBe(true);
    expect(b.image.broker(1)?.state).toBe("unfenced");
    expect(b.apply({ type: "fence_broker", nodeId: 1, brokerEpoch: 1, timestamp: 2 })[0].ok).toBe(true);
    expect(b.image.broker(1)?.state).toBe("fenced");
    expect(b.apply({ type: "unfence_broker", nodeId: 1, brokerEpoch: 99, timestamp: 2 })[0]).toMatchObject({
      ok: false,
      error: "STALE_BROKER_EPOCH",
    });
    expect(b.image.broker(1)?.state).toBe("fenced");
    b.apply({ type: "broker_shutting_down", nodeId: 1, brokerEpoch: 1, timestamp: 2 });
    expect(b.image.broker(1)?.state).toBe("shutting_down");
    expect(b.apply({ type: "fence_broker", nodeId: 7, brokerEpoch: 1, timestamp: 2 })[0]).toMatchObject({
      error: "BROKER_NOT_REGISTERED",
    });
    expect(b.apply({ type: "unregister_broker", nodeId: 1, brokerEpoch: 1, timestamp: 3 })[0].ok).toBe(true);
    expect(b.image.broker(1)).toBeUndefined();
  });

  it("applies a batched entry at one index and refuses to apply an index twice", () => {
    const image = new MetaImage();
    const results = image.applyEntry(encodeMetaBatch([reg(1), reg(2)]), 4, 1);
    expect(results).toEqual([
      { ok: true, brokerEpoch: 4 },
      { ok: true, brokerEpoch: 4 },
    ]);
    expect(() => image.applyEntry(encodeMetaBatch([reg(3)]), 4, 1)).toThrow(/applied twice/);
  });
});

describe("MetaImage: topics", () => {
  it("creates, extends, reconfigures and deletes topics", () => {
    const b = clusterOf(3);
    expect(
      b.apply(
        topic("orders", [
          [1, 2],
          [2, 3],
        ]),
      )[0].ok,
    ).toBe(true);
    expect(b.apply(topic("orders", [[1]], "other-id"))[0]).toMatchObject({ error: "TOPIC_ALREADY_EXISTS" });
    expect(b.apply(topic("clone", [[1]], "id-orders"))[0]).toMatchObject({ error: "TOPIC_ALREADY_EXISTS" });

    const more = {
      type: "create_partitions" as const,
      topic: "orders",
      partitions: [{ partition: 2, replicas: [3, 1], leader: 3, leaderEpoch: 0, isr: [3, 1] }],
    };
    expect(b.apply({ ...more, partitions: [{ ...more.partitions[0], partition: 5 }] })[0]).toMatchObject({
      error: "INVALID_PARTITIONS",
    });
    expect(b.apply(more)[0].ok).toBe(true);
    expect(b.image.topic("orders")?.partitions.map((p) => p.replicas)).toEqual([
      [1, 2],
      [2, 3],
      [3, 1],
    ]);

    b.apply({ type: "topic_config", topic: "orders", set: { "retention.ms": "5", a: "1" }, delete: [] });
    b.apply({ type: "topic_config", topic: "orders", set: { b: "2" }, delete: ["a"] });
    expect(b.image.topic("orders")?.configs).toEqual({ "retention.ms": "5", b: "2" });

    expect(b.apply({ type: "delete_topic", name: "orders", topicId: "wrong" })[0]).toMatchObject({
      error: "UNKNOWN_TOPIC_ID",
    });
    expect(b.apply({ type: "delete_topic", name: "orders", topicId: "id-orders" })[0].ok).toBe(true);
    expect(b.image.topic("orders")).toBeUndefined();
  });

  it("rejects assignments with duplicate replicas or a leader outside the replicas", () => {
    const b = clusterOf(3);
    expect(b.apply(topic("dup", [[1, 1]]))[0]).toMatchObject({ error: "INVALID_REPLICA_ASSIGNMENT" });
    const bad = topic("lead", [[1, 2]]);
    bad.partitions[0].leader = 3;
    expect(b.apply(bad)[0]).toMatchObject({ error: "INVALID_REPLICA_ASSIGNMENT" });
  });

  it("applies partition changes with a leader epoch that does not go back", () => {
    const b = clusterOf(3);
    b.apply(topic("t", [[1, 2, 3]]));
    const change = { type: "partition_change" as const, topic: "t", partition: 0 };
    expect(b.apply({ ...change, leader: 2, leaderEpoch: 4, isr: [2, 3] })[0].ok).toBe(true);
    expect(b.image.topic("t")?.partitions[0]).toEqual({
      partition: 0,
      replicas: [1, 2, 3],
      leader: 2,
      leaderEpoch: 4,
      isr: [2, 3],
    });
    expect(b.apply({ ...change, leader: 1, leaderEpoch: 3, isr: [1] })[0]).toMatchObject({
      error: "FENCED_LEADER_EPOCH",
    });
    expect(b.apply({ ...change, leader: 2, leaderEpoch: 4, isr: [2, 3, 1] })[0].ok).toBe(true);
    expect(b.apply({ ...change, leader: 9, leaderEpoch: 5, isr: [9] })[0]).toMatchObject({
      error: "INVALID_REPLICA_ASSIGNMENT",
    });
    expect(b.apply({ ...change, partition: 3, leader: 1, leaderEpoch: 5, isr: [1] })[0]).toMatchObject({
      error: "UNKNOWN_TOPIC_OR_PARTITION",
    });
    expect(b.image.topic("t")?.partitions[0].isr).toEqual([2, 3, 1]);
  });
});

describe("MetaImage: producer id blocks", () => {
  it("hands out monotonic, never overlapping blocks whatever the interleaving", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ node: fc.integer({ min: 1, max: 4 }), size: fc.integer({ min: 1, max: 5000 }) }),
          {
            maxLength: 60,
          },
        ),
        (requests) => {
          const b = clusterOf(3);
          let end = 0;
          for (const { node, size } of requests) {
            const [res] = b.apply({
              type: "producer_id_block",
              nodeId: node,
              brokerEpoch: 2 * node - 1,
              size,
            });
            if (node === 4) {
              expect(res).toMatchObject({ ok: false, error: "BROKER_NOT_REGISTERED" });
              continue;
            }
            if (!res.ok || !res.producerIdBlock) throw new Error("expected a block");
            expect(res.producerIdBlock.firstProducerId).toBe(end);
            expect(res.producerIdBlock.size).toBe(size);
            end += size;
          }
          expect(b.image.nextProducerId).toBe(end);
        },
      ),
    );
  });

  it("refuses a block for a stale broker epoch", () => {
    const b = clusterOf(1);
    expect(b.apply({ type: "producer_id_block", nodeId: 1, brokerEpoch: 42, size: 10 })[0]).toMatchObject({
      error: "STALE_BROKER_EPOCH",
    });
    expect(b.image.nextProducerId).toBe(0);
  });
});

describe("MetaImage: snapshots", () => {
  function busyImage(): MetaImage {
    const b = clusterOf(3, ["r1", "r2", null]);
    b.apply(
      topic("b-topic", [
        [1, 2, 3],
        [3, 1, 2],
      ]),
      topic("a-topic", [[2]]),
    );
    b.apply({ type: "topic_config", topic: "b-topic", set: { z: "1", a: "2" }, delete: [] });
    b.apply({ type: "producer_id_block", nodeId: 1, brokerEpoch: 1, size: 1000 });
    b.apply({ type: "fence_broker", nodeId: 3, brokerEpoch: 5, timestamp: 9 });
    b.apply({
      type: "partition_change",
      topic: "b-topic",
      partition: 1,
      leader: 1,
      leaderEpoch: 1,
      isr: [1, 2],
    });
    return b.image;
  }

  it("restores an identical image from its snapshot", () => {
    const image = busyImage();
    const bytes = image.snapshot();
    const restored = MetaImage.fromSnapshot(bytes);
    expect(restored.brokers()).toEqual(image.brokers());
    expect(restored.topics()).toEqual(image.topics());
    expect(restored.appliedIndex).toBe(image.appliedIndex);
    expect(restored.appliedTerm).toBe(image.appliedTerm);
    expect(restored.nextProducerId).toBe(1000);
    expect(restored.snapshot()).toEqual(bytes);
    // And it keeps behaving the same: the next block continues where the original would.
    const [next] = [restored, image].map((i) =>
      i.apply({ type: "producer_id_block", nodeId: 2, brokerEpoch: 3, size: 5 }, 100, 1),
    );
    expect(next).toMatchObject({ producerIdBlock: { firstProducerId: 1000, size: 5 } });
  });

  it("rejects a corrupt snapshot", () => {
    expect(() => MetaImage.fromSnapshot(new TextEncoder().encode('{"format":2}'))).toThrow(
      /invalid __meta snapshot/,
    );
  });

  it("produces a registry snapshot that satisfies the shared schema", () => {
    const image = busyImage();
    const snap = toRegistrySnapshot(image, {
      clusterId: "chronik-test",
      term: 3,
      commitIndex: image.appliedIndex,
      leaderId: 1,
      voters: [3, 1, 2],
      sessionTimeoutMs: 6000,
      now: 50_000,
      heartbeats: new Map([
        [1, 49_500],
        [2, 49_900],
      ]),
    });
    expect(registrySnapshotSchema.parse(snap)).toEqual(snap);
    expect(snap.meta).toEqual({ leader_id: 1, term: 3, commit_index: image.appliedIndex, voters: [1, 2, 3] });
    expect(snap.version).toEqual({ term: 1, applied_index: image.appliedIndex });
    expect(snap.brokers.map((b) => [b.id, b.state, b.last_heartbeat_at, b.rack])).toEqual([
      [1, "unfenced", 49_500, "r1"],
      [2, "unfenced", 49_900, "r2"],
      [3, "fenced", null, null],
    ]);
    expect(snap.topics.map((t) => t.name)).toEqual(["a-topic", "b-topic"]);
    expect(snap.topics[1].partitions[1]).toEqual({
      partition: 1,
      leader: 1,
      leader_epoch: 1,
      replicas: [3, 1, 2],
      isr: [1, 2],
    });
  });

  it("reports no leader as null and, on a follower, the log's liveness view", () => {
    const image = busyImage();
    const snap = toRegistrySnapshot(image, {
      clusterId: "c",
      term: 3,
      commitIndex: 0,
      leaderId: 0,
      voters: [1, 2, 3],
      sessionTimeoutMs: 6000,
      now: 70_000,
    });
    expect(registrySnapshotSchema.safeParse(snap).success).toBe(true);
    expect(snap.meta.leader_id).toBeNull();
    expect(snap.brokers.map((b) => b.last_heartbeat_at)).toEqual([70_000, 70_000, null]);
  });
});
