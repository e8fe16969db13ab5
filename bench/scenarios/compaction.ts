// Scenario: log compaction on one node (fsync always). The same fixed-rate keyed produce (librdkafka,
// acks=1) runs against a topic under cleanup.policy=delete and then one under compact, whose 1 MiB
// segments are cleaned over and over while it runs: the two p99s show what cleaning costs produce
// latency (the cleaner shares the node's event loop). The cleaner's own throughput (MB of input per
// second of cleaning) comes from the node's "log cleaned" log lines of that run.
import { createTopics } from "../clients/admin.ts";
import { rdProduce } from "../clients/librdkafka.ts";
import { BenchCluster } from "../cluster/bench-cluster.ts";
import { errorText, type Measurement, measured, notRun } from "../result.ts";
import type { BenchContext } from "./context.ts";
import { produceRow, step } from "./steps.ts";

export const COMPACTION_IDS = {
  produceDelete: "chronik.compaction_off_produce",
  produceCompact: "chronik.compaction_on_produce",
  cleaner: "chronik.compaction_cleaner",
} as const;

const KEYS = 1000;
// 4 MB/s of 1 KiB records: a 1 MiB segment seals every quarter second, and cleaning keeps up.
const RATE = 4000;

interface Cleaning {
  bytesRead: number;
  ms: number;
}

function cleanings(log: string): Cleaning[] {
  return log
    .split("\n")
    .filter((l) => l.includes('"msg":"log cleaned"'))
    .map((l) => JSON.parse(l) as Cleaning);
}

export async function compaction(ctx: BenchContext): Promise<Measurement[]> {
  const p = ctx.profile;
  const params = {
    record_size: p.recordSize,
    keys: KEYS,
    records_per_sec: RATE,
    acks: "1",
    nodes: 1,
    rf: 1,
    segment_bytes: 1024 * 1024,
  };
  const titles = {
    produceDelete: "1 node, fixed-rate keyed produce, cleanup.policy=delete: latency",
    produceCompact: "1 node, the same produce, cleanup.policy=compact (cleaned while it runs): latency",
    cleaner: "1 node, log cleaner throughput (MB of input per second of cleaning)",
  };
  const rows: Measurement[] = [];
  let cluster: BenchCluster | undefined;
  try {
    if (ctx.librdkafkaMissing) throw new Error(ctx.librdkafkaMissing);
    cluster = await BenchCluster.create(1, "bench-compaction", undefined, "always", {
      cleaner_backoff_ms: 100,
    });
    ctx.log("chronik: starting 1-node cluster for compaction …");
    await cluster.start(p.readyTimeoutMs);
    const c = cluster;
    const segment = { "segment.bytes": String(1024 * 1024) };
    await createTopics(c.bootstrapList(), [
      { topic: "bench-delete", partitions: 1, replicationFactor: 1, configs: segment },
      {
        topic: "bench-compact",
        partitions: 1,
        replicationFactor: 1,
        configs: { ...segment, "cleanup.policy": "compact" },
      },
    ]);
    const produce = (key: "produceDelete" | "produceCompact", topic: string) =>
      step(COMPACTION_IDS[key], titles[key], params, ctx, async () => {
        const r = await rdProduce({
          bootstrap: c.bootstrap,
          topic,
          records: Math.round(RATE * p.fixedRateSeconds),
          recordSize: p.recordSize,
          acks: "1",
          lingerMs: p.lingerMs,
          batchBytes: p.producerBatchBytes,
          compression: "none",
          throughput: RATE,
          keys: KEYS,
          timeoutS: p.stepTimeoutS,
        });
        return produceRow(COMPACTION_IDS[key], titles[key], r, params);
      });
    rows.push(await produce("produceDelete", "bench-delete"));
    const before = cleanings(c.inner.log(1)).length;
    rows.push(await produce("produceCompact", "bench-compact"));
    const ran = cleanings(c.inner.log(1)).slice(before);
    const bytes = ran.reduce((n, x) => n + x.bytesRead, 0);
    const ms = ran.reduce((n, x) => n + x.ms, 0);
    rows.push(
      ran.length === 0
        ? notRun(
            COMPACTION_IDS.cleaner,
            "chronik",
            titles.cleaner,
            "no cleaning ran during the produce",
            params,
          )
        : measured({
            id: COMPACTION_IDS.cleaner,
            group: "chronik",
            title: titles.cleaner,
            client: "-",
            metrics: { mbPerSec: bytes / (1024 * 1024) / (ms / 1000), seconds: ms / 1000 },
            params: { ...params, cleanings: ran.length, input_mb: +(bytes / (1024 * 1024)).toFixed(1) },
          }),
    );
  } catch (err) {
    ctx.log(`chronik: compaction: not run: ${errorText(err)}`);
    for (const [key, id] of Object.entries(COMPACTION_IDS))
      if (!rows.some((r) => r.id === id))
        rows.push(notRun(id, "chronik", titles[key as keyof typeof titles], errorText(err), params));
  } finally {
    await cluster?.destroy();
  }
  return rows;
}
