// Compacted topics end to end: real nodes, real clients. A topic written by librdkafka and kafkajs with
// 100 keys × 100 versions and then tombstones for 10 keys is compacted; every client then reads exactly
// the 90 live keys' latest values, from whichever replica leads; retention never deletes what the
// compact policy keeps; DeleteRecords moves the log start on every replica.
import { join } from "node:path";
import { Admin as PlatformaticAdmin } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { partitionForGroup } from "../../data-node/src/groups/partition-for-group.ts";
import { TestCluster, type TestNode } from "../support/cluster.ts";
import { withAdmin } from "../support/kafka-admin.ts";
import { waitFor } from "../support/poll.ts";
import { rawRequest } from "../support/raw-kafka-client.ts";
import { leadersOf } from "./admin-apis/raw.ts";
import { kafkajsRead } from "./clients/support/kafkajs.ts";
import { kcatRead } from "./clients/support/kcat.ts";
import { platformaticRead } from "./clients/support/platformatic.ts";
import { pyRead, pyScript } from "./clients/support/python.ts";
import type { Received } from "./clients/support/records.ts";
import {
  cleanerState,
  cleaningFiles,
  fetchAt,
  fetchPartition,
  replicaOnDisk,
  segmentBytes,
} from "./compaction/partition-data.ts";

const KEYS = 100;
const VERSIONS = 100;
const TOMBSTONED = 10;
const PARTITIONS = 3;
const TOPIC = "compacted";

// Cleaning is checked every 200 ms, retention too; a compacted topic's records become cleanable 3 s
// after they were written (so what was produced is measured whole first), its tombstones go 1.5 s
// after their first cleaning, and its retention.ms of 1 s must not matter.
const cluster = new TestCluster({
  nodes: 3,
  kafkaBase: 33092,
  httpBase: 33181,
  extra: {
    storage: {
      cleaner_backoff_ms: 200,
      retention_check_ms: 200,
      cleaner_io_max_bytes_per_second: 4_000_000,
      // Topics without their own segment.ms (__consumer_offsets) roll after a second, so retention
      // could reach their sealed segments if the compact policy did not stop it.
      segment_ms: 1000,
    },
    topic_defaults: { retention_ms: 1000 },
  },
});
const bootstrap = cluster.bootstrap;
const brokers = bootstrap.split(",");
const compactConfigs = {
  "cleanup.policy": "compact",
  "segment.ms": "300",
  "min.cleanable.dirty.ratio": "0.01",
  "min.compaction.lag.ms": "3000",
  "delete.retention.ms": "1500",
  "retention.ms": "1000",
};

const latest = (k: number) => `v-${(VERSIONS - 1) * KEYS + k}`;
const expected = new Map(
  Array.from({ length: KEYS - TOMBSTONED }, (_, i) => [`k${i + TOMBSTONED}`, latest(i + TOMBSTONED)]),
);

beforeAll(async () => {
  await cluster.startAll();
}, 60_000);

afterAll(async () => {
  await cluster.stopAll();
});

async function createTopic(topic: string, configs: Record<string, string>, partitions = PARTITIONS) {
  await withAdmin(brokers, "e2e-compaction", (admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: 3,
          configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
        },
      ],
    }),
  );
}

// librdkafka (gzip) for seq in [from, to), then `tombstones` null values: key k<seq % 100>, value v-<seq>.
async function librdkafkaProduce(topic: string, from: number, to: number, tombstones = 0): Promise<void> {
  const script = join(import.meta.dirname, "compaction/produce_versions.py");
  const args = ["--bootstrap", bootstrap, "--topic", topic, "--from", String(from), "--to", String(to)];
  args.push("--keys", String(KEYS), "--partitions", String(PARTITIONS), "--tombstones", String(tombstones));
  const r = await pyScript<{ acked: number; errors: number; first_error: string | null }>(script, args);
  expect(r.errors, String(r.first_error)).toBe(0);
}

// Each key k<n> to partition n % partitions, as librdkafkaProduce does.
async function kafkajsProduce(
  topic: string,
  msgs: { key: string; value: string | null }[],
  partitions = PARTITIONS,
): Promise<void> {
  const producer = new Kafka({ clientId: "e2e-compaction", brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    for (let i = 0; i < msgs.length; i += 1000)
      await producer.send({
        topic,
        acks: -1,
        messages: msgs
          .slice(i, i + 1000)
          .map((m) => ({ ...m, partition: Number(m.key?.slice(1) ?? 0) % partitions })),
      });
  } finally {
    await producer.disconnect();
  }
}

const versions = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ key: `k${(from + i) % KEYS}`, value: `v-${from + i}` }));

const alive = (n: TestNode) => n.process?.exitCode === null && n.process.signalCode === null;

async function leaderNode(topic: string, partition: number): Promise<TestNode> {
  const leader = await waitFor(`a leader for ${topic}-${partition}`, async () => {
    for (const n of cluster.nodes.filter(alive)) {
      const id = (await leadersOf(n, topic).catch(() => []))[partition]?.leader;
      if (id !== undefined && id > 0 && alive(cluster.node(id))) return id;
    }
    return undefined;
  });
  return cluster.node(leader);
}

// The partition as its leader serves it holds exactly the live keys' latest values.
async function compacted(topic: string): Promise<boolean> {
  const seen = new Map<string, string | null>();
  for (let p = 0; p < PARTITIONS; p++) {
    const data = await fetchPartition(await leaderNode(topic, p), topic, p);
    for (const r of data.records) {
      if (seen.has(r.key ?? "")) return false;
      seen.set(r.key ?? "", r.value);
    }
  }
  return seen.size === expected.size && [...expected].every(([k, v]) => seen.get(k) === v);
}

// What a client read from the beginning is exactly the expected values, each partition in increasing
// offsets with the gaps compaction left.
function checkRead(client: string, records: Received[]): void {
  const got = new Map(records.map((r) => [r.key, r.value]));
  expect(records.length, `${client} read ${records.length} records`).toBe(expected.size);
  expect(got, client).toEqual(expected);
  for (let p = 0; p < PARTITIONS; p++) {
    const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
    expect(offsets, `${client} partition ${p}`).toEqual([...offsets].sort((a, b) => a - b));
    // Read from offset 0: the last offset is far past the count.
    expect(offsets.at(-1)! + 1, `${client} partition ${p} has gaps`).toBeGreaterThan(3 * offsets.length);
  }
}

describe("a compacted topic", () => {
  test("keeps the latest value of every key for every client and replica; tombstones go", async () => {
    await createTopic(TOPIC, compactConfigs);
    // Versions 0-49 from librdkafka, 50-99 from kafkajs, the tombstones before the live keys' last
    // versions: each partition then ends with live records. (A partition whose last batches compaction
    // emptied ends in an empty batch, which librdkafka, kafkajs and Java need to reach the end, and
    // which kafka-python 2.0.2 fails on with an IndexError, as it does against Kafka.)
    await librdkafkaProduce(TOPIC, 0, (VERSIONS / 2) * KEYS);
    const lastRound = (VERSIONS - 1) * KEYS;
    await kafkajsProduce(TOPIC, versions((VERSIONS / 2) * KEYS, lastRound + TOMBSTONED));
    await kafkajsProduce(
      TOPIC,
      Array.from({ length: TOMBSTONED }, (_, k) => ({ key: `k${k}`, value: null })),
    );
    await kafkajsProduce(TOPIC, versions(lastRound + TOMBSTONED, VERSIONS * KEYS));
    // Nothing is cleanable for min.compaction.lag.ms: this is what was written.
    const written = cluster.nodes.map((n) =>
      Array.from({ length: PARTITIONS }, (_, p) => segmentBytes(n, TOPIC, p)),
    );

    await waitFor("the partitions to hold only the live keys' latest values", () => compacted(TOPIC), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    for (const [i, n] of cluster.nodes.entries())
      for (let p = 0; p < PARTITIONS; p++)
        expect(segmentBytes(n, TOPIC, p), `node ${n.id} ${TOPIC}-${p}`).toBeLessThan(written[i][p] / 4);

    checkRead("kcat", await kcatRead(bootstrap, TOPIC, KEYS * VERSIONS));
    const confluent = await pyRead("confluent", bootstrap, TOPIC, expected.size);
    expect(confluent.errors).toEqual([]);
    checkRead("confluent-kafka-python", confluent.records);
    const kafkaPython = await pyRead("kafka-python", bootstrap, TOPIC, expected.size);
    expect(kafkaPython.errors).toEqual([]);
    checkRead("kafka-python", kafkaPython.records);
    checkRead("kafkajs", await kafkajsRead(bootstrap, TOPIC, expected.size, "compaction-kafkajs"));
    checkRead(
      "@platformatic/kafka",
      await platformaticRead(bootstrap, TOPIC, expected.size, "compaction-platformatic"),
    );

    // Each node leads in turn (the others' leaderships move when it is the only one left alive with
    // them... here: each node is killed once, so every partition is served by another replica).
    const reference = await kcatRead(bootstrap, TOPIC, KEYS * VERSIONS);
    for (const n of cluster.nodes) {
      await cluster.kill(n.id);
      const again = await kcatRead(bootstrap, TOPIC, KEYS * VERSIONS);
      expect(new Set(again.map((r) => `${r.partition}/${r.offset}/${r.key}/${r.value}`))).toEqual(
        new Set(reference.map((r) => `${r.partition}/${r.offset}/${r.key}/${r.value}`)),
      );
      cluster.start(n.id);
      await cluster.waitReady(n.id);
    }
  }, 240_000);

  test("outlives retention.ms, as __consumer_offsets does; a topic under delete loses its old segments", async () => {
    await createTopic("expiring", { "cleanup.policy": "delete", "segment.ms": "300" }, 1);
    await withAdmin(brokers, "e2e-compaction", (admin) =>
      admin.setOffsets({
        groupId: "retained-group",
        topic: TOPIC,
        partitions: [0, 1, 2].map((partition) => ({ partition, offset: String(partition + 1) })),
      }),
    );
    expect(await committed("retained-group")).toEqual([1, 2, 3]);
    // Another group on the same __consumer_offsets partition keeps committing below, so the segment
    // holding the first commit is sealed once past segment.ms (1 s), and then older than retention.ms.
    const neighbour = neighbourGroup("retained-group");
    const firstCommitAt = Date.now();
    // Retention runs when a sealed segment's newest record is older than retention.ms (1 s): keep
    // writing (each append after segment.ms rolls) until the first segment of "expiring" is gone.
    let n = 0;
    await waitFor(
      "retention to delete the oldest segment of a topic under cleanup.policy=delete",
      async () => {
        await kafkajsProduce("expiring", [{ key: "k0", value: `v${n++}` }], 1);
        await withAdmin(brokers, "e2e-compaction", (admin) =>
          admin.setOffsets({
            groupId: neighbour,
            topic: TOPIC,
            partitions: [{ partition: 0, offset: String(n) }],
          }),
        );
        // Retention is about time: the first commit's segment (sealed after 1 s, newest record older
        // than 1 s a second later) has been due for a while by 3 s, with checks every 200 ms.
        return (await earliest("expiring"))[0] > 0 && Date.now() - firstCommitAt > 3000;
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    // The compacted topic's records are older than its retention.ms by now, and all still there.
    expect(await earliest(TOPIC)).toEqual([0, 0, 0]);
    expect(await compacted(TOPIC)).toBe(true);
    // And offsets committed to __consumer_offsets (compact, the cluster's default retention.ms of 1 s)
    // before that retention pass are still in its log: a restarted cluster's coordinators load them
    // from the log, not from memory.
    await Promise.all(cluster.nodes.map((n) => cluster.kill(n.id)));
    for (const n of cluster.nodes) cluster.start(n.id);
    await Promise.all(cluster.nodes.map((n) => cluster.waitReady(n.id)));
    const reloaded = await waitFor("the group's offsets after the restart", async () => {
      const offsets = await committed("retained-group").catch(() => undefined);
      return offsets?.every((o) => o >= 0) ? offsets : undefined;
    });
    expect(reloaded).toEqual([1, 2, 3]);
  });

  test("refuses a record without a key with INVALID_RECORD", async () => {
    const error = await kafkajsProduce(TOPIC, [{ key: null as unknown as string, value: "no key" }]).then(
      () => undefined,
      (err: Error & { type?: string }) => err.type ?? err.message,
    );
    expect(error).toBe("INVALID_RECORD");
  });
});

async function committed(group: string): Promise<number[]> {
  const [t] = await withAdmin(brokers, "e2e-compaction", (admin) =>
    admin.fetchOffsets({ groupId: group, topics: [TOPIC] }),
  );
  return t.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

async function earliest(topic: string): Promise<number[]> {
  return withAdmin(brokers, "e2e-compaction", async (admin) =>
    (await admin.fetchTopicOffsets(topic))
      .sort((a, b) => a.partition - b.partition)
      .map((o) => Number(o.low)),
  );
}

describe("DeleteRecords", () => {
  test("moves the log start offset on every replica (kafkajs, @platformatic/kafka, raw v0)", async () => {
    const topic = "trimmed";
    await createTopic(topic, {}, 1);
    await kafkajsProduce(
      topic,
      versions(0, 100).map((m) => ({ ...m, key: "k0" })),
      1,
    );
    await withAdmin(brokers, "e2e-compaction", async (admin) => {
      // kafkajs's admin looks the leader up in metadata it must have loaded first.
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "40" }] });
    });
    expect(await earliest(topic)).toEqual([40]);
    const leader = await leaderNode(topic, 0);
    const below = await fetchAt(leader, topic, 0, 10n);
    expect(below.errorCode).toBe(1);
    // Served from there on: the batch holding offset 40 whole, as Kafka serves it (clients skip below).
    expect((await fetchPartition(leader, topic, 0)).logStart).toBe(40);

    const admin = new PlatformaticAdmin({ clientId: "e2e-compaction", bootstrapBrokers: brokers });
    try {
      const [res] = await admin.deleteRecords({
        topics: [{ name: topic, partitions: [{ partition: 0, offset: 60n }] }],
      });
      expect(res.partitions).toEqual([{ partition: 0, lowWatermark: 60n }]);
    } finally {
      await admin.close();
    }

    // Generated codecs over a socket: past the high watermark, a follower, and -1 (the high watermark).
    const raw = (node: TestNode, offset: bigint) =>
      rawRequest(node.kafkaPort, 21, 0, {
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset }] }],
        timeoutMs: 10_000,
      });
    expect((await raw(leader, 101n)).topics[0].partitions[0].errorCode).toBe(1);
    const follower = cluster.nodes.find((n) => n.id !== leader.id)!;
    expect((await raw(follower, 70n)).topics[0].partitions[0].errorCode).toBe(6);
    expect(await earliest(topic)).toEqual([60]);

    // Every replica moved: whichever leads next answers the same.
    await cluster.kill(leader.id);
    expect(
      await waitFor("a new leader of the trimmed partition", async () => (await earliest(topic))[0]),
    ).toBe(60);
    const newLeader = await leaderNode(topic, 0);
    expect((await raw(newLeader, -1n)).topics[0].partitions[0]).toEqual({
      partitionIndex: 0,
      lowWatermark: 100n,
      errorCode: 0,
    });
    cluster.start(leader.id);
    await cluster.waitReady(leader.id);
  });
});

describe("a leader killed while it compacts", () => {
  test("loses no acknowledged latest value and leaves no corrupt batch; every replica ends with the same bytes", async () => {
    const topic = "crash";
    // 200 keys × 200 versions of 200 bytes: 8 MB, cleaned (at the cluster's 4 MB/s) 5 s after written.
    await createTopic(
      topic,
      { ...compactConfigs, "min.compaction.lag.ms": "5000", "delete.retention.ms": "0" },
      1,
    );
    const acked = new Map<string, string>();
    for (let v = 0; v < 200; v++) {
      const batch = Array.from({ length: 200 }, (_, k) => ({
        key: `k${k}`,
        value: `${v}-${"x".repeat(200)}`,
      }));
      await kafkajsProduce(topic, batch, 1);
      for (const m of batch) acked.set(m.key, m.value);
    }
    const leader = await leaderNode(topic, 0);
    await waitFor(
      "the leader to be cleaning (a .cleaned file)",
      () => cleaningFiles(leader, topic, 0).length > 0,
      {
        timeoutMs: 30_000,
        intervalMs: 5,
      },
    );
    await cluster.kill(leader.id);
    const served = await fetchPartition(await leaderNode(topic, 0), topic, 0);
    const last = new Map(served.records.map((r) => [r.key, r.value]));
    expect(last).toEqual(acked);

    cluster.start(leader.id);
    await cluster.waitReady(leader.id);
    // Quiet and fully cleaned: every replica has carried out the same last decision, up to the end.
    await waitFor(
      "every replica of every compacted partition to have carried out the same last cleaning",
      async () => {
        for (const [t, parts] of [
          [topic, 1],
          [TOPIC, PARTITIONS],
        ] as const)
          for (let p = 0; p < parts; p++) {
            const { highWatermark } = await fetchPartition(await leaderNode(t, p), t, p);
            const states = cluster.nodes.map((n) => cleanerState(n, t, p));
            if (states.some((st) => st?.firstDirty !== highWatermark || st.index !== states[0]?.index))
              return false;
            if (cluster.nodes.some((n) => cleaningFiles(n, t, p).length > 0)) return false;
          }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await cluster.stopAll();
    for (const [t, parts] of [
      [topic, 1],
      [TOPIC, PARTITIONS],
    ] as const)
      for (let p = 0; p < parts; p++) {
        const replicas = await Promise.all(cluster.nodes.map((n) => replicaOnDisk(n, t, p)));
        const hex = replicas.map((bs) => bs.map((b) => b.toString("hex")));
        expect(hex[1], `${t}-${p} on node 2`).toEqual(hex[0]);
        expect(hex[2], `${t}-${p} on node 3`).toEqual(hex[0]);
      }
  }, 180_000);
});

// A group id whose __consumer_offsets partition is the given group's (the suite's nodes have 4).
function neighbourGroup(group: string): string {
  const target = partitionForGroup(group, 4);
  for (let i = 0; ; i++) if (partitionForGroup(`neighbour-${i}`, 4) === target) return `neighbour-${i}`;
}
