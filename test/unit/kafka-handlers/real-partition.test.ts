import { afterEach, describe, expect, it } from "vitest";
import { createFetchHandler } from "../../../data-node/src/kafka/handlers/fetch.ts";
import { createListOffsetsHandler } from "../../../data-node/src/kafka/handlers/list-offsets.ts";
import { createProduceHandler } from "../../../data-node/src/kafka/handlers/produce.ts";
import type { FetchResponse } from "../../../data-node/src/kafka/protocol/generated/fetch-response.ts";
import type { ListOffsetsResponse } from "../../../data-node/src/kafka/protocol/generated/list-offsets-response.ts";
import type { ProduceResponse } from "../../../data-node/src/kafka/protocol/generated/produce-response.ts";
import { PartitionReplica } from "../../../data-node/src/partition/partition.ts";
import { silentLogger } from "../../../shared/log.ts";
import { LocalCluster } from "../../integration/raft-runtime/harness.ts";
import { buildTestBatch } from "../../support/batches.ts";
import { waitFor } from "../../support/poll.ts";
import { fakeContext, rctx } from "./fakes.ts";

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

// The handlers over a real single-voter partition (Raft group + durable log): offsets, high
// watermark and the long-poll wake-up come from the real replica.
describe("data handlers over a real PartitionReplica", () => {
  it("produce, fetch (long-poll woken by a commit) and list offsets", async () => {
    cluster = new LocalCluster([1]);
    const log = await cluster.openLog(1, "t/0", true);
    const replica = new PartitionReplica("t", 0, log, silentLogger);
    replica.group = await cluster.runtimes
      .get(1)!
      .createGroup("t/0", log, replica, { voters: [1], learners: [] }, { campaign: true });
    await waitFor("leadership", () => replica.isLeader, { timeoutMs: 10_000, intervalMs: 10 });

    const ctx = fakeContext({ brokers: 1 });
    ctx.partition = (topic, p) => (topic === "t" && p === 0 ? replica : undefined);
    const produce = createProduceHandler(ctx, silentLogger);
    const fetch = createFetchHandler(ctx);
    const req = (values: string[]) => ({
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: "t", partitionData: [{ index: 0, records: buildTestBatch(values, values) }] }],
    });
    const first = (await produce(req(["a", "b"]), rctx(9))) as ProduceResponse;
    expect(first.responses[0].partitionResponses[0]).toMatchObject({
      errorCode: 0,
      baseOffset: 0n,
      logStartOffset: 0n,
    });

    const fetchReq = (offset: bigint) => ({
      replicaId: -1,
      maxWaitMs: 30_000,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: "t",
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: offset,
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: "",
    });
    const got = (await fetch(fetchReq(0n), rctx(12))) as FetchResponse;
    expect(got.responses[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 2n });
    expect((got.responses[0].partitions[0].records as Buffer[]).length).toBe(1);

    const pending = fetch(fetchReq(2n), rctx(12)) as Promise<FetchResponse>;
    const second = (await produce(req(["c"]), rctx(9))) as ProduceResponse;
    expect(second.responses[0].partitionResponses[0].baseOffset).toBe(2n);
    const woken = await pending;
    const batches = woken.responses[0].partitions[0].records as Buffer[];
    expect(batches.map((b) => Number(b.readBigInt64BE(0)))).toEqual([2]);

    const offsets = (await createListOffsetsHandler(ctx)(
      {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          {
            name: "t",
            partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }],
          },
        ],
      },
      rctx(5),
    )) as ListOffsetsResponse;
    expect(offsets.topics[0].partitions[0]).toMatchObject({
      errorCode: 0,
      offset: 3n,
      leaderEpoch: replica.leaderEpoch,
    });
  });
});
