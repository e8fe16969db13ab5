import { readdirSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { describe, expect, test } from "vitest";
import { ZERO_UUID } from "../../data-node/src/kafka/protocol/uuid.ts";
import type { TestNode } from "../support/cluster.ts";
import { withAdmin } from "../support/kafka-admin.ts";
import { waitFor } from "../support/poll.ts";
import { rawRequest } from "../support/raw-kafka-client.ts";
import { batchEpochs, coordinatorOf, leadersOf } from "./admin-apis/raw.ts";
import { createTopic, describeGroup } from "./clients/support/admin.ts";
import { useCluster } from "./clients/support/cluster.ts";
import { kafkajsMember, kafkajsProduce } from "./clients/support/kafkajs.ts";
import { kcat, kcatRead } from "./clients/support/kcat.ts";
import { platformaticRead } from "./clients/support/platformatic.ts";
import { run } from "./clients/support/proc.ts";
import { pyScript } from "./clients/support/python.ts";
import { messages } from "./clients/support/records.ts";

// The admin APIs of issue 15 with real clients where one on this machine has the call (kafkajs,
// confluent-kafka-python 1.7.0 on librdkafka 2.0.2, kcat), over a socket with the generated codecs
// where none has.
const env = useCluster(32092, 32181);
const ADMIN = join(import.meta.dirname, "admin-apis/confluent_admin.py");

const NOT_REQUESTED = -2147483648;
// Every operation Kafka supports on a topic, and on the cluster (KIP-430 bit fields, no authorizer).
const TOPIC_OPERATIONS = 0b1101_1111_1000;
const CLUSTER_OPERATIONS = 0b1_1111_1010_0000;

const brokersOf = (bootstrap: string) => bootstrap.split(",");

describe("admin APIs", () => {
  test("CreateTopics with a manual replica assignment (kafkajs, librdkafka): placed as asked, first replicas lead; bad ones refused", async () => {
    const { bootstrap, cluster } = env();
    await withAdmin(brokersOf(bootstrap), "e2e-assign", async (admin) => {
      const replicaAssignment = [
        { partition: 0, replicas: [2, 3] },
        { partition: 1, replicas: [3, 1] },
        { partition: 2, replicas: [1, 2] },
      ];
      expect(await admin.createTopics({ topics: [{ topic: "placed-js", replicaAssignment }] })).toBe(true);
      const gap = [
        { partition: 0, replicas: [1] },
        { partition: 2, replicas: [2] },
      ];
      await expect(
        admin.createTopics({ topics: [{ topic: "gap-js", replicaAssignment: gap }] }),
      ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: "INVALID_REPLICA_ASSIGNMENT" })] });
    });
    const created = await pyScript(ADMIN, [
      "create-assigned",
      "--bootstrap",
      bootstrap,
      "--topic",
      "placed-py",
      "--assignment",
      "[[3, 2], [1, 3]]",
    ]);
    expect(created).toEqual({ created: "placed-py" });
    const refused = await pyScript(ADMIN, [
      "create-assigned",
      "--bootstrap",
      bootstrap,
      "--topic",
      "unknown-broker-py",
      "--assignment",
      "[[1, 9]]",
    ]);
    expect(refused).toMatchObject({ error: { name: "INVALID_REPLICA_ASSIGNMENT" } });

    // Each partition's first replica campaigns at once and leads.
    const expected = {
      "placed-js": [
        [2, 3],
        [3, 1],
        [1, 2],
      ],
      "placed-py": [
        [3, 2],
        [1, 3],
      ],
    };
    for (const [topic, replicas] of Object.entries(expected)) {
      const leaders = await waitFor(`${topic}'s preferred leaders`, async () => {
        const ps = await leadersOf(cluster.node(1), topic);
        return ps.length === replicas.length && ps.every((p) => p.leader === p.replicas[0]) && ps;
      });
      expect(leaders.map((p) => p.replicas)).toEqual(replicas);
    }
    const md = await pyScript<{ topics: Record<string, { replicas: number[] }[]> }>(ADMIN, [
      "metadata",
      "--bootstrap",
      bootstrap,
    ]);
    expect(md.topics["placed-py"].map((p) => p.replicas)).toEqual(expected["placed-py"]);
    expect(md.topics["unknown-broker-py"]).toBeUndefined();
  });

  test("ApiVersions advertises the new APIs at the versions served", async () => {
    const { cluster } = env();
    const res = await rawRequest(cluster.node(1).kafkaPort, 18, 3, {
      clientSoftwareName: "e2e",
      clientSoftwareVersion: "1",
    });
    const served = new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    // ListOffsets, OffsetForLeaderEpoch, DescribeLogDirs, DeleteGroups, OffsetDelete, DescribeCluster.
    expect([2, 23, 35, 42, 47, 60].map((k) => served.get(k))).toEqual([
      [0, 7],
      [0, 4],
      [0, 4],
      [0, 2],
      [0, 0],
      [0, 1],
    ]);
  });

  test("kcat -L and DescribeCluster agree on brokers and controller; authorized operations as Kafka without an authorizer", async () => {
    const { bootstrap, cluster } = env();
    await createTopic(bootstrap, "described", 1, 3);
    const listed = await run(kcat, ["-L", "-J", "-b", bootstrap, "-t", "described"]);
    const kcatMd = JSON.parse(listed.stdout) as { controllerid: number; brokers: { id: number }[] };
    expect(kcatMd.brokers.map((b) => b.id).sort()).toEqual([1, 2, 3]);
    for (const node of cluster.nodes) {
      const res = await rawRequest(node.kafkaPort, 60, 1, {
        includeClusterAuthorizedOperations: true,
        endpointType: 1,
      });
      expect(res).toMatchObject({ errorCode: 0, clusterId: "test", endpointType: 1 });
      expect(res.controllerId).toBe(kcatMd.controllerid);
      expect(res.brokers.map((b) => [b.brokerId, b.port])).toEqual(
        cluster.nodes.map((n) => [n.id, n.kafkaPort]),
      );
      expect(res.clusterAuthorizedOperations).toBe(CLUSTER_OPERATIONS);
    }
    const v0 = await rawRequest(cluster.node(2).kafkaPort, 60, 0, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
    });
    expect(v0.clusterAuthorizedOperations).toBe(NOT_REQUESTED);
    const controllers = await rawRequest(cluster.node(2).kafkaPort, 60, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 2,
    });
    expect(controllers.errorCode).toBe(114); // MISMATCHED_ENDPOINT_TYPE

    const metadata = (include: boolean) =>
      rawRequest(cluster.node(3).kafkaPort, 3, 10, {
        topics: [{ name: "described", topicId: ZERO_UUID }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: include,
        includeTopicAuthorizedOperations: include,
      });
    const asked = await metadata(true);
    expect([asked.topics[0].topicAuthorizedOperations, asked.clusterAuthorizedOperations]).toEqual([
      TOPIC_OPERATIONS,
      CLUSTER_OPERATIONS,
    ]);
    const notAsked = await metadata(false);
    expect([notAsked.topics[0].topicAuthorizedOperations, notAsked.clusterAuthorizedOperations]).toEqual([
      NOT_REQUESTED,
      NOT_REQUESTED,
    ]);
  });

  test("DescribeLogDirs: each node's data dir with every replica's bytes on disk and the file system's space", async () => {
    const { bootstrap, cluster } = env();
    await createTopic(bootstrap, "sized", 3, 3);
    await kafkajsProduce(bootstrap, "sized", messages("sized", 0, 3000));
    const onDisk = (node: TestNode, partition: number) => {
      const root = join(node.dataDir, "partitions");
      const dir = readdirSync(root).find((d) => d.startsWith(`sized-${partition}-`));
      if (!dir) return 0;
      const files = readdirSync(join(root, dir)).filter((f) => f.endsWith(".log"));
      return files.reduce((n, f) => n + statSync(join(root, dir, f)).size, 0);
    };
    for (const node of cluster.nodes) {
      const sizes = await waitFor(`node ${node.id}'s replicas of sized to match their files`, async () => {
        const res = await rawRequest(node.kafkaPort, 35, 4, { topics: null });
        const dir = res.results[0];
        const sized = dir.topics.find((t) => t.name === "sized")?.partitions ?? [];
        const reported = [0, 1, 2].map((p) =>
          Number(sized.find((x) => x.partitionIndex === p)?.partitionSize ?? -1),
        );
        return reported.every((n, p) => n > 0 && n === onDisk(node, p)) && { dir, reported };
      });
      expect(sizes.dir).toMatchObject({ errorCode: 0, logDir: node.dataDir });
      const fs = statfsSync(node.dataDir);
      expect(sizes.dir.totalBytes).toBe(BigInt(fs.blocks * fs.bsize));
      expect(sizes.dir.usableBytes).toBeGreaterThan(0n);
      expect(sizes.dir.usableBytes).toBeLessThanOrEqual(sizes.dir.totalBytes);
    }
    const one = await rawRequest(cluster.node(1).kafkaPort, 35, 1, {
      topics: [{ topic: "sized", partitions: [1] }],
    });
    expect(
      one.results[0].topics.find((t) => t.name === "sized")?.partitions.map((p) => p.partitionIndex),
    ).toEqual([1]);
  });

  test("ListOffsets: kafkajs by timestamp; v7 MAX_TIMESTAMP finds the record with the largest timestamp", async () => {
    const { bootstrap, cluster } = env();
    await createTopic(bootstrap, "times", 1, 3);
    const kafka = new Kafka({
      clientId: "e2e-times",
      brokers: brokersOf(bootstrap),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    // Offsets 0-2 in one batch each, then 3-6 in one batch; 9000 first appears at offset 4.
    for (const ts of [[1000], [5000], [3000], [2000, 9000, 9000, 4000]]) {
      await producer.send({
        topic: "times",
        acks: -1,
        messages: ts.map((t) => ({ value: String(t), timestamp: String(t) })),
      });
    }
    await producer.disconnect();
    await withAdmin(brokersOf(bootstrap), "e2e-times-admin", async (admin) => {
      expect(await admin.fetchTopicOffsetsByTimestamp("times", 4500)).toEqual([
        { partition: 0, offset: "1" },
      ]);
      expect(await admin.fetchTopicOffsetsByTimestamp("times", 9001)).toEqual([
        { partition: 0, offset: "7" },
      ]);
    });
    const [p] = await leadersOf(cluster.node(1), "times");
    const leader = cluster.node(p.leader);
    const list = async (version: number, timestamp: bigint) => {
      const res = await rawRequest(leader.kafkaPort, 2, version, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          {
            name: "times",
            partitions: [
              { partitionIndex: 0, currentLeaderEpoch: p.leaderEpoch, timestamp, maxNumOffsets: 1 },
            ],
          },
        ],
      });
      return res.topics[0].partitions[0];
    };
    expect(await list(7, -3n)).toMatchObject({
      errorCode: 0,
      offset: 4n,
      timestamp: 9000n,
      leaderEpoch: p.leaderEpoch,
    });
    expect(await list(6, -2n)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await list(6, -1n)).toMatchObject({ errorCode: 0, offset: 7n });
  });

  // Kills the group's coordinator (and starts it again).
  test("DeleteGroups (kafkajs) and OffsetDelete with Kafka's errors; what they delete stays deleted after the coordinator is SIGKILLed", async () => {
    const { bootstrap, cluster } = env();
    const group = "deletable";
    await createTopic(bootstrap, "del-read", 1, 3);
    await createTopic(bootstrap, "del-old", 1, 3);
    await kafkajsProduce(bootstrap, "del-read", messages("r", 0, 3));
    await withAdmin(brokersOf(bootstrap), "e2e-delete", async (admin) => {
      // Offsets committed from outside group management, for a topic the members will not read.
      await admin.setOffsets({
        groupId: group,
        topic: "del-old",
        partitions: [{ partition: 0, offset: "2" }],
      });
      const member = await kafkajsMember(bootstrap, "del-read", group, "e2e-delete-member");
      await waitFor("the member to read del-read", () => member.received.length === 3);
      await waitFor("a Stable group", async () => (await describeGroup(bootstrap, group)).state === "Stable");

      const coordinator = await coordinatorOf(cluster, cluster.node(1), group);
      const offsetDelete = (node: TestNode, topics: [string, number][]) =>
        rawRequest(node.kafkaPort, 47, 0, {
          groupId: group,
          topics: topics.map(([name, partitionIndex]) => ({ name, partitions: [{ partitionIndex }] })),
        });
      const deleted = await offsetDelete(coordinator, [
        ["del-read", 0],
        ["del-old", 0],
        ["no-such-topic", 0],
      ]);
      expect(deleted.errorCode).toBe(0);
      expect(deleted.topics.map((t) => [t.name, t.partitions[0].errorCode])).toEqual([
        ["del-read", 86], // GROUP_SUBSCRIBED_TO_TOPIC
        ["del-old", 0],
        ["no-such-topic", 3], // UNKNOWN_TOPIC_OR_PARTITION
      ]);
      const other = cluster.nodes.find((n) => n.id !== coordinator.id)!;
      expect((await offsetDelete(other, [["del-old", 0]])).errorCode).toBe(16); // NOT_COORDINATOR
      const committed = async (topic: string) =>
        (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0].partitions[0].offset;
      expect(await committed("del-old")).toBe("-1");
      expect(await committed("del-read")).toBe("3");

      await expect(admin.deleteGroups([group])).rejects.toMatchObject({
        groups: [expect.objectContaining({ groupId: group, errorCode: 68 })], // NON_EMPTY_GROUP
      });
      await member.stop();
      await waitFor("an Empty group", async () => (await describeGroup(bootstrap, group)).state === "Empty");
      expect(await admin.deleteGroups([group])).toEqual([
        expect.objectContaining({ groupId: group, errorCode: 0 }),
      ]);
      await expect(admin.deleteGroups(["never-was"])).rejects.toMatchObject({
        groups: [expect.objectContaining({ groupId: "never-was", errorCode: 69 })], // GROUP_ID_NOT_FOUND
      });

      // The next coordinator rebuilds the partition from its records: the tombstones are there.
      await cluster.kill(coordinator.id);
      const survivor = cluster.nodes.find((n) => n.id !== coordinator.id)!;
      await waitFor(
        "a new coordinator",
        async () => (await coordinatorOf(cluster, survivor, group)).id !== coordinator.id,
        {
          timeoutMs: 30_000,
        },
      );
      expect((await admin.describeGroups([group])).groups[0].state).toBe("Dead");
      expect(await committed("del-read")).toBe("-1");
      cluster.start(coordinator.id);
      await cluster.waitReady(coordinator.id);
    });
  });

  // Kills two partition leaders in turn (and starts them again).
  test("OffsetForLeaderEpoch after leader changes: each epoch ends where the next epoch's batches begin", async () => {
    const { bootstrap, cluster } = env();
    const topic = "epochs";
    await createTopic(bootstrap, topic, 1, 3);
    await kafkajsProduce(bootstrap, topic, messages("first", 0, 5));
    const [before] = await leadersOf(cluster.node(1), topic);
    await cluster.kill(before.leader);
    const survivor = cluster.nodes.find((n) => n.id !== before.leader)!;
    const after = await waitFor("a new leader with a higher epoch", async () => {
      const [p] = await leadersOf(survivor, topic);
      return p.leader > 0 && p.leader !== before.leader && p.leaderEpoch > before.leaderEpoch && p;
    });
    await kafkajsProduce(bootstrap, topic, messages("second", 0, 3));
    const leader = cluster.node(after.leader);

    // Where each epoch's batches begin in the leader's log.
    const starts = new Map<number, number>();
    for (const b of await batchEpochs(leader, topic)) if (!starts.has(b.epoch)) starts.set(b.epoch, b.offset);
    expect([...starts]).toEqual([
      [before.leaderEpoch, 0],
      [after.leaderEpoch, 5],
    ]);

    const endOffsets = async (node: TestNode, epochs: number[], currentLeaderEpoch: number) => {
      const res = await rawRequest(node.kafkaPort, 23, 4, {
        replicaId: -1,
        topics: [
          {
            topic,
            partitions: epochs.map((leaderEpoch) => ({ partition: 0, currentLeaderEpoch, leaderEpoch })),
          },
        ],
      });
      return res.topics[0].partitions.map((p) => [p.errorCode, p.leaderEpoch, Number(p.endOffset)]);
    };
    // The old epoch ends where the new one's first batch is; the current one at the log end; an
    // epoch between them is answered with the old one.
    expect(
      await endOffsets(
        leader,
        [before.leaderEpoch, after.leaderEpoch - 1, after.leaderEpoch],
        after.leaderEpoch,
      ),
    ).toEqual([
      [0, before.leaderEpoch, starts.get(after.leaderEpoch)],
      [0, before.leaderEpoch, starts.get(after.leaderEpoch)],
      [0, after.leaderEpoch, 8],
    ]);
    expect(await endOffsets(leader, [before.leaderEpoch], before.leaderEpoch)).toEqual([[74, -1, -1]]);
    expect(await endOffsets(leader, [before.leaderEpoch], after.leaderEpoch + 1)).toEqual([[75, -1, -1]]);
    const follower = cluster.nodes.find((n) => n.id !== after.leader && n.id !== before.leader)!;
    expect(await endOffsets(follower, [before.leaderEpoch], -1)).toEqual([[6, -1, -1]]);

    // Consumers read across the epochs; @platformatic/kafka's fetches carry the leader epoch from its
    // metadata, which the leader checks.
    const offsets = [0, 1, 2, 3, 4, 5, 6, 7];
    expect((await kcatRead(bootstrap, topic, 8)).map((r) => r.offset)).toEqual(offsets);
    const read = await platformaticRead(bootstrap, topic, 8, "epochs-reader");
    expect(read.map((r) => r.offset).sort((a, b) => a - b)).toEqual(offsets);

    // A third leader, one that restarted in between, answers the same from its own history.
    cluster.start(before.leader);
    await cluster.waitReady(before.leader);
    await cluster.kill(after.leader);
    const third = await waitFor("a third leader", async () => {
      const [p] = await leadersOf(cluster.node(before.leader), topic);
      return p.leader > 0 && p.leader !== after.leader && p.leaderEpoch > after.leaderEpoch && p;
    });
    expect(
      await endOffsets(
        cluster.node(third.leader),
        [before.leaderEpoch, after.leaderEpoch],
        third.leaderEpoch,
      ),
    ).toEqual([
      [0, before.leaderEpoch, starts.get(after.leaderEpoch)],
      [0, after.leaderEpoch, 8],
    ]);
    cluster.start(after.leader);
    await cluster.waitReady(after.leader);
  });
});
