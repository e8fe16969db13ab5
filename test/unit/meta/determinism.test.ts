import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MetaImage } from "../../../data-node/src/meta/image.ts";
import type { MetaRecord } from "../../../data-node/src/meta/records.ts";
import { reg } from "./fixtures.ts";

// Random record streams over a small domain (so records collide: duplicate registrations, stale epochs,
// existing topics), to check the image is a deterministic function of the log and that snapshots
// capture all of it.

const node = fc.integer({ min: 1, max: 4 });
const epoch = fc.integer({ min: 0, max: 30 });
const topicName = fc.constantFrom("a", "b");
const replicaSet = fc.uniqueArray(node, { minLength: 1, maxLength: 3 });

const record: fc.Arbitrary<MetaRecord> = fc.oneof(
  fc.tuple(node, fc.constantFrom("x", "y")).map(([n, inc]) => reg(n, { incarnationId: inc })),
  fc
    .record({ nodeId: node, brokerEpoch: epoch })
    .map((r) => ({ type: "fence_broker" as const, ...r, timestamp: 1 })),
  fc
    .record({ nodeId: node, brokerEpoch: epoch })
    .map((r) => ({ type: "unfence_broker" as const, ...r, timestamp: 1 })),
  fc
    .record({ nodeId: node, brokerEpoch: epoch })
    .map((r) => ({ type: "unregister_broker" as const, ...r, timestamp: 1 })),
  fc.tuple(topicName, fc.array(replicaSet, { minLength: 1, maxLength: 3 })).map(([name, sets]) => ({
    type: "create_topic" as const,
    name,
    topicId: `id-${name}`,
    internal: false,
    configs: {},
    partitions: sets.map((replicas, partition) => ({
      partition,
      replicas,
      leader: replicas[0],
      leaderEpoch: 0,
      isr: replicas,
    })),
  })),
  topicName.map((name) => ({ type: "delete_topic" as const, name, topicId: `id-${name}` })),
  fc
    .tuple(topicName, fc.integer({ min: 0, max: 2 }), replicaSet, fc.integer({ min: 0, max: 3 }))
    .map(([topic, partition, isr, leaderEpoch]) => ({
      type: "partition_change" as const,
      topic,
      partition,
      leader: isr[0],
      leaderEpoch,
      isr,
    })),
  fc.tuple(topicName, fc.string({ maxLength: 3 })).map(([topic, v]) => ({
    type: "topic_config" as const,
    topic,
    set: { k: v },
    delete: [],
  })),
  fc.record({ nodeId: node, brokerEpoch: epoch, size: fc.integer({ min: 1, max: 100 }) }).map((r) => ({
    type: "producer_id_block" as const,
    ...r,
  })),
);

describe("MetaImage determinism", () => {
  it("is a function of the log, and snapshot + suffix equals the whole log", () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 60 }), fc.nat(), (log, cut) => {
        const a = new MetaImage();
        const b = new MetaImage();
        const resultsA = log.map((r, i) => a.apply(r, i + 1, 1));
        const resultsB = log.map((r, i) => b.apply(r, i + 1, 1));
        expect(resultsB).toEqual(resultsA);
        expect(b.snapshot()).toEqual(a.snapshot());

        const at = log.length === 0 ? 0 : cut % (log.length + 1);
        const prefix = new MetaImage();
        for (const [i, r] of log.slice(0, at).entries()) prefix.apply(r, i + 1, 1);
        const resumed = MetaImage.fromSnapshot(prefix.snapshot());
        const resultsC = log.slice(at).map((r, i) => resumed.apply(r, at + i + 1, 1));
        expect(resultsC).toEqual(resultsA.slice(at));
        expect(resumed.snapshot()).toEqual(a.snapshot());
      }),
      { numRuns: 200 },
    );
  });
});
