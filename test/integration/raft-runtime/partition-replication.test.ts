import { afterEach, expect, test } from "vitest";
import { buildTestBatch } from "../../support/batches.ts";
import { waitFor } from "../../support/poll.ts";
import { LocalCluster, startPartitionReplica } from "./harness.ts";

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

test("three replicas elect a leader, replicate acks=all produces, and serve them byte-exact", async () => {
  cluster = new LocalCluster([1, 2, 3]);
  const replicas = await Promise.all([1, 2, 3].map((id) => startPartitionReplica(cluster!, id, id === 1)));
  const leader = await waitFor("a partition leader", () => replicas.find((r) => r.isLeader));

  const sent: Buffer[] = [];
  for (let i = 0; i < 20; i++) {
    const batch = buildTestBatch([`k${i}`], [`value-${i}`]);
    sent.push(batch);
    const out = await leader.produce([batch], -1, 5000);
    expect(out).toMatchObject({ errorCode: 0, baseOffset: i });
  }
  expect(leader.highWatermark).toBe(20);

  const read = leader.read(0, 1 << 20);
  expect(read.errorCode).toBe(0);
  expect(read.records).toHaveLength(20);
  // Byte-exact except the two header fields the leader sets.
  read.records.forEach((b, i) => {
    expect(b.subarray(16)).toEqual(sent[i].subarray(16));
    expect(Number(b.readBigInt64BE(0))).toBe(i);
  });

  // Every follower reaches the same high watermark and holds the same bytes.
  await waitFor("followers to apply every entry", () => replicas.every((r) => r.highWatermark === 20));
  for (const r of replicas) {
    expect(r.log.read(0, { maxBytes: 1 << 20 }).batches.map((b) => b.toString("hex"))).toEqual(
      read.records.map((b) => b.toString("hex")),
    );
  }
  const follower = replicas.find((r) => !r.isLeader)!;
  expect((await follower.produce([sent[0]], -1, 1000)).errorCode).toBe(6);
});

test("an idempotent retry is answered with the original offset and a sequence gap is refused", async () => {
  cluster = new LocalCluster([1]);
  const [p] = await Promise.all([startPartitionReplica(cluster, 1, true)]);
  await waitFor("leader", () => p.isLeader);
  const producer = { producerId: 7, producerEpoch: 0 };
  const b0 = buildTestBatch(["a", "b"], ["1", "2"], { ...producer, baseSequence: 0 });
  const b1 = buildTestBatch(["c"], ["3"], { ...producer, baseSequence: 2 });
  expect((await p.produce([b0], -1, 5000)).baseOffset).toBe(0);
  expect((await p.produce([b1], -1, 5000)).baseOffset).toBe(2);
  expect(await p.produce([b0], -1, 5000)).toMatchObject({ errorCode: 0, baseOffset: 0 });
  const gap = buildTestBatch(["d"], ["4"], { ...producer, baseSequence: 9 });
  expect((await p.produce([gap], -1, 5000)).errorCode).toBe(45);
  expect(p.highWatermark).toBe(3);
});

test("a restarted follower catches up from its durable log and the leader", async () => {
  cluster = new LocalCluster([1, 2, 3]);
  const replicas = await Promise.all([1, 2, 3].map((id) => startPartitionReplica(cluster!, id, id === 1)));
  const leader = await waitFor("a partition leader", () => replicas.find((r) => r.isLeader));
  const followerId = [1, 2, 3].find((id) => replicas[id - 1] !== leader)!;
  for (let i = 0; i < 5; i++) await leader.produce([buildTestBatch([`k${i}`], [`v${i}`])], -1, 5000);
  await cluster.crash(followerId);
  for (let i = 5; i < 10; i++) await leader.produce([buildTestBatch([`k${i}`], [`v${i}`])], -1, 5000);
  cluster.boot(followerId);
  const restarted = await startPartitionReplica(cluster, followerId, false);
  await waitFor(
    "the restarted follower to catch up",
    () => restarted.highWatermark === 10 && restarted.log.logEndOffset() === 10,
  );
});

test("an idle group quiesces, wakes for a produce, and a crashed quiesced leader is replaced", async () => {
  cluster = new LocalCluster([1, 2, 3]);
  const replicas = await Promise.all([1, 2, 3].map((id) => startPartitionReplica(cluster!, id, id === 1)));
  const leader = await waitFor("a partition leader", () => replicas.find((r) => r.isLeader));
  await leader.produce([buildTestBatch(["a"], ["1"])], -1, 5000);
  await waitFor("every replica to quiesce", () => replicas.every((r) => r.group.quiesced));

  expect(await leader.produce([buildTestBatch(["b"], ["2"])], -1, 5000)).toMatchObject({
    errorCode: 0,
    baseOffset: 1,
  });
  await waitFor("quiescence again after the produce", () => replicas.every((r) => r.group.quiesced));

  const leaderId = leader.group.status().id;
  await cluster.crash(leaderId);
  const survivors = replicas.filter((r) => r !== leader);
  const next = await waitFor("a new leader among the survivors", () => survivors.find((r) => r.isLeader), {
    timeoutMs: 10_000,
  });
  expect((await next.produce([buildTestBatch(["c"], ["3"])], -1, 5000)).baseOffset).toBe(2);
});

test("during a leadership transfer, a batch after one refused NOT_LEADER is refused the same way, not as a sequence gap", async () => {
  cluster = new LocalCluster([1, 2, 3]);
  const replicas = await Promise.all([1, 2, 3].map((id) => startPartitionReplica(cluster!, id, id === 1)));
  const leader = await waitFor("a partition leader", () => replicas.find((r) => r.isLeader));
  await waitFor("followers caught up", () => replicas.every((r) => r.highWatermark === leader.highWatermark));
  const producer = { producerId: 9, producerEpoch: 0 };
  expect(
    (await leader.produce([buildTestBatch(["a"], ["1"], { ...producer, baseSequence: 0 })], -1, 5000))
      .errorCode,
  ).toBe(0);
  // Hand leadership to a follower and, while the hand-over runs, send two pipelined batches.
  const target = replicas.find((r) => r !== leader)!;
  const follower = [1, 2, 3].find((id) => replicas[id - 1] === target)!;
  leader.group.transferLeader(follower);
  const [first, second] = await Promise.all([
    leader.produce([buildTestBatch(["b"], ["2"], { ...producer, baseSequence: 1 })], -1, 5000),
    leader.produce([buildTestBatch(["c"], ["3"], { ...producer, baseSequence: 2 })], -1, 5000),
  ]);
  expect(first.errorCode).toBe(6);
  expect(second.errorCode).toBe(6);
});

test("a fetch between the high watermark and the log end finds nothing yet; only past the log end is out of range", async () => {
  cluster = new LocalCluster([1, 2, 3]);
  const replicas = await Promise.all([1, 2, 3].map((id) => startPartitionReplica(cluster!, id, id === 1)));
  const leader = await waitFor("a partition leader", () => replicas.find((r) => r.isLeader));
  for (let i = 0; i < 2; i++)
    expect((await leader.produce([buildTestBatch([`k${i}`], ["v"])], -1, 5000)).errorCode).toBe(0);
  // Both followers gone: an acks=1 batch reaches the leader's log but no majority, so it stays above
  // the high watermark (as on a new leader still applying its predecessor's entries).
  for (const id of [1, 2, 3]) if (replicas[id - 1] !== leader) await cluster.crash(id);
  expect((await leader.produce([buildTestBatch(["k2"], ["v"])], 1, 5000)).errorCode).toBe(0);
  expect(leader.highWatermark).toBe(2);
  expect(leader.read(2, 1 << 20)).toMatchObject({ errorCode: 0, records: [] });
  expect(leader.read(3, 1 << 20)).toMatchObject({ errorCode: 0, records: [] });
  expect(leader.read(4, 1 << 20).errorCode).toBe(1);
});
