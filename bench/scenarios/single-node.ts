// Scenario: one node, RF1, acks=1 — the broker's own overhead over the physical path (baseline a),
// in both durability classes: fsync never (the page cache, as Kafka by default) against (a) without
// fdatasync, and fsync always against (a) with an fdatasync per batch.
import { execFileSync } from "node:child_process";
import { createTopics } from "../clients/admin.ts";
import { jsProduceWithFallback } from "../clients/js-producer.ts";
import { rdProduce } from "../clients/librdkafka.ts";
import { BenchCluster } from "../cluster/bench-cluster.ts";
import { errorText, type Measurement, notRun } from "../result.ts";
import type { BenchContext } from "./context.ts";
import { jsProduceRow, produceRow, step } from "./steps.ts";

export const SINGLE_IDS = {
  produceNoSync: "chronik.1n_acks1_nofsync",
  produce: "chronik.1n_acks1",
  produceJs: "chronik.1n_acks1_js",
} as const;

export async function singleNode(ctx: BenchContext): Promise<Measurement[]> {
  const p = ctx.profile;
  const params = {
    record_size: p.recordSize,
    batch: `${p.producerBatchBytes} B / linger ${p.lingerMs} ms`,
    acks: "1",
    compression: "none",
    partitions: p.partitions,
    nodes: 1,
    rf: 1,
  };
  const titles = {
    produceNoSync: "1 node, RF1, acks=1, fsync never: produce",
    produce: "1 node, RF1, acks=1, fsync always: produce",
    produceJs: "1 node, RF1, acks=1, fsync always: produce (JS client)",
  };
  const rows: Measurement[] = [];
  let cluster: BenchCluster | undefined;
  const topic = "bench-1n";
  const produce = (c: BenchCluster, key: "produceNoSync" | "produce", fsync: string) =>
    step(SINGLE_IDS[key], titles[key], { ...params, fsync }, ctx, async () => {
      if (ctx.librdkafkaMissing) throw new Error(ctx.librdkafkaMissing);
      const r = await rdProduce({
        bootstrap: c.bootstrap,
        topic,
        records: p.produceRecords,
        recordSize: p.recordSize,
        acks: "1",
        lingerMs: p.lingerMs,
        batchBytes: p.producerBatchBytes,
        compression: "none",
        timeoutS: p.stepTimeoutS,
      });
      return produceRow(SINGLE_IDS[key], titles[key], r, { ...params, fsync });
    });
  const start = async (fsync: "always" | "never"): Promise<BenchCluster> => {
    const c = await BenchCluster.create(1, `bench-1n-${fsync}`, undefined, fsync);
    cluster = c;
    ctx.log(`chronik: starting 1-node cluster (fsync ${fsync}) …`);
    await c.start(p.readyTimeoutMs);
    await createTopics(c.bootstrapList(), [{ topic, partitions: p.partitions, replicationFactor: 1 }]);
    return c;
  };
  try {
    rows.push(await produce(await start("never"), "produceNoSync", "never"));
    await cluster?.destroy();
    cluster = undefined;
    // That node never synced its data: flush the page cache's backlog now, or ext4 writes it back
    // inside the next cluster's fsyncs and the figure measures the previous run.
    execFileSync("sync");
    const c = await start("always");
    rows.push(await produce(c, "produce", "always"));
    rows.push(
      await step(SINGLE_IDS.produceJs, titles.produceJs, params, ctx, async () => {
        const r = await jsProduceWithFallback({
          client: ctx.jsClient,
          bootstrap: c.bootstrapList(),
          topic,
          partitions: p.partitions,
          records: p.jsProduceRecords,
          recordSize: p.recordSize,
          acks: 1,
          batchBytes: p.batchBytes,
          timeoutMs: p.stepTimeoutS * 1000,
        });
        return jsProduceRow(SINGLE_IDS.produceJs, titles.produceJs, r, {
          ...params,
          fsync: "always",
          batch: `${p.batchBytes} B per request`,
        });
      }),
    );
  } catch (err) {
    ctx.log(`chronik: 1-node scenario: ${errorText(err)}`);
    for (const [key, id] of Object.entries(SINGLE_IDS)) {
      if (!rows.some((r) => r.id === id))
        rows.push(notRun(id, "chronik", titles[key as keyof typeof titles], errorText(err), params));
    }
  } finally {
    const kept = await cluster?.destroy(rows.some((r) => r.status !== "ok"));
    if (kept) ctx.log(`chronik: node logs of the failed scenario kept in ${kept}`);
  }
  return rows;
}
