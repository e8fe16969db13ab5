import { afterEach, expect, test } from "vitest";
import type { PartitionReplica } from "../../../data-node/src/partition/partition.ts";
import { buildTestBatch } from "../../support/batches.ts";
import { waitFor } from "../../support/poll.ts";
import { GrpcCluster, startPartitionReplica } from "./harness.ts";

// Three nodes in one process, each with its own gRPC transport on loopback, real logs with fsync.

let cluster: GrpcCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

test("replicates over gRPC, and a restarted node catches up from its log and the leader", async () => {
  cluster = new GrpcCluster([1, 2, 3]);
  await cluster.bootAll();
  const replicas = new Map<number, PartitionReplica>();
  for (const id of cluster.ids) replicas.set(id, await startPartitionReplica(cluster, id, id === 1));
  const leader = await waitFor("a leader", () => [...replicas.values()].find((r) => r.isLeader), {
    timeoutMs: 10_000,
  });
  for (let i = 0; i < 50; i++)
    expect((await leader.produce([buildTestBatch([`k${i}`], [`v${i}`])], -1, 5000)).errorCode).toBe(0);
  await waitFor("every replica at the high watermark", () =>
    [...replicas.values()].every((r) => r.highWatermark === 50),
  );

  const followerId = cluster.ids.find((id) => replicas.get(id) !== leader)!;
  await cluster.crash(followerId);
  for (let i = 50; i < 100; i++)
    expect((await leader.produce([buildTestBatch([`k${i}`], [`v${i}`])], -1, 5000)).errorCode).toBe(0);

  await cluster.boot(followerId);
  const restarted = await startPartitionReplica(cluster, followerId, false);
  await waitFor(
    "the restarted follower to catch up",
    () => restarted.highWatermark === 100 && restarted.log.logEndOffset() === 100,
    {
      timeoutMs: 15_000,
    },
  );
  const want = leader.read(0, 1 << 24).records.map((b) => b.toString("hex"));
  expect(restarted.log.read(0, { maxBytes: 1 << 24 }).batches.map((b) => b.toString("hex"))).toEqual(want);
});
