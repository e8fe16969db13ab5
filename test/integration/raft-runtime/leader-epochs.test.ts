import { afterEach, expect, test } from "vitest";
import { buildRecordBatch } from "../../../data-node/src/kafka/protocol/record-batch.ts";
import type { PartitionReplica } from "../../../data-node/src/partition/partition.ts";
import { buildTestBatch } from "../../support/batches.ts";
import { waitFor } from "../../support/poll.ts";
import { LocalCluster, startPartitionReplica } from "./harness.ts";

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function produce(leader: PartitionReplica, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    expect((await leader.produce([buildTestBatch([`k${i}`], [`v${i}`])], -1, 5000)).errorCode).toBe(0);
  }
}

test("after a leader change, the new leader answers where each epoch ended, matching the batches' epochs", async () => {
  cluster = new LocalCluster([1, 2, 3]);
  const replicas = await Promise.all([1, 2, 3].map((id) => startPartitionReplica(cluster!, id, id === 1)));
  const first = await waitFor("a partition leader", () => replicas.find((r) => r.isLeader));
  await produce(first, 5);
  const firstEpoch = first.leaderEpoch;
  const survivors = replicas.filter((r) => r !== first);
  await waitFor("followers to hold the 5 batches", () => survivors.every((r) => r.highWatermark === 5));
  await cluster.crash([1, 2, 3][replicas.indexOf(first)]);

  const second = await waitFor("a new leader", () => survivors.find((r) => r.isLeader));
  expect(second.leaderEpoch).toBeGreaterThan(firstEpoch);
  await produce(second, 3);

  expect(second.endOffsetForEpoch(firstEpoch)).toEqual({
    errorCode: 0,
    leaderEpoch: firstEpoch,
    endOffset: 5,
  });
  expect(second.endOffsetForEpoch(second.leaderEpoch)).toEqual({
    errorCode: 0,
    leaderEpoch: second.leaderEpoch,
    endOffset: 8,
  });
  // Every batch carries the epoch the history places its offset in.
  const batches = second.read(0, 1 << 20).records;
  expect(batches.map((b) => second.epochs.epochAt(Number(b.readBigInt64BE(0))))).toEqual(
    batches.map((b) => b.readInt32BE(12)),
  );
  expect(new Set(batches.map((b) => b.readInt32BE(12)))).toEqual(new Set([firstEpoch, second.leaderEpoch]));
  expect(second.listOffset(-2)).toMatchObject({ offset: 0, leaderEpoch: firstEpoch });
  expect(second.listOffset(-1)).toMatchObject({ offset: 8, leaderEpoch: second.leaderEpoch });
  // A follower does not answer.
  const follower = survivors.find((r) => r !== second)!;
  expect(follower.endOffsetForEpoch(firstEpoch).errorCode).toBe(6);
});

test("ListOffsets MAX_TIMESTAMP answers the first record with the largest timestamp, below the high watermark", async () => {
  cluster = new LocalCluster([1]);
  const p = await startPartitionReplica(cluster, 1, true);
  await waitFor("leader", () => p.isLeader);
  expect(p.listOffset(-3)).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 });
  const batch = (...ts: number[]) =>
    buildRecordBatch(ts.map((t) => ({ value: Buffer.from(String(t)), timestamp: BigInt(t) })));
  // Offsets 0-2, 3-5, 6: the largest timestamp is the second record of the second batch (offset 4);
  // offset 5 has it too but comes later.
  for (const b of [batch(1000, 4000, 2000), batch(3000, 9000, 9000), batch(5000)]) {
    expect((await p.produce([b], -1, 5000)).errorCode).toBe(0);
  }
  expect(p.listOffset(-3)).toMatchObject({
    errorCode: 0,
    offset: 4,
    timestamp: 9000,
    leaderEpoch: p.leaderEpoch,
  });
});
