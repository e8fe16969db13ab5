// Scenarios on one 3-node cluster (RF3, fsync always), in an order where each step leaves the
// cluster as the next expects: startup, acks=all peak, consume (fresh, then cached), fixed-rate
// latency at 20% and 60% of the peak, idle CPU with 1,000 partitions, and last the leader kill.
import { dropPageCache, segmentFiles, segmentRead } from "../baselines/segment-read.ts";
import { createTopics } from "../clients/admin.ts";
import { jsProduceWithFallback } from "../clients/js-producer.ts";
import { kcatConsume } from "../clients/kcat.ts";
import { rdConsume, rdProduce } from "../clients/librdkafka.ts";
import { BenchCluster } from "../cluster/bench-cluster.ts";
import { errorText, type Measurement, measured, notRun, type Params } from "../result.ts";
import type { BenchContext } from "./context.ts";
import { measureFailover } from "./failover.ts";
import { createIdlePartitions, sampleIdleCpu } from "./idle-cpu.ts";
import { consumeRow, jsProduceRow, produceRow, step } from "./steps.ts";

export const THREE_IDS = {
  startup: "chronik.startup",
  produce: "chronik.3n_acksall",
  produceJs: "chronik.3n_acksall_js",
  consumeFresh: "chronik.consume_fresh",
  consumeCold: "chronik.consume_cold_kcat",
  readCold: "baseline.segment_read_cold",
  readCached: "baseline.segment_read_cached",
  consumeCached: "chronik.consume_cached",
  consumeKcat: "chronik.consume_cached_kcat",
  latency20: "chronik.latency_20",
  latency60: "chronik.latency_60",
  idleCpu: "chronik.idle_cpu",
  failover: "chronik.failover",
} as const;

type Key = keyof typeof THREE_IDS;

const groupOf = (key: Key): Measurement["group"] =>
  THREE_IDS[key].startsWith("baseline.") ? "baseline" : "chronik";

export async function threeNode(ctx: BenchContext): Promise<Measurement[]> {
  const p = ctx.profile;
  const base: Params = {
    record_size: p.recordSize,
    acks: "all",
    compression: "none",
    partitions: p.partitions,
    nodes: 3,
    rf: 3,
    fsync: "always",
  };
  const produceParams = { ...base, batch: `${p.producerBatchBytes} B / linger ${p.lingerMs} ms` };
  // linger 1 ms, as the OpenMessaging Benchmark's Kafka latency workloads: with linger 0 librdkafka
  // sends nearly every record as a request of its own, a load no latency-minded producer sends.
  const rateLinger = 1;
  const rateParams = { ...base, batch: `${p.producerBatchBytes} B / linger ${rateLinger} ms` };
  const titles: Record<Key, string> = {
    startup: "3 nodes: process start → all /health/ready",
    produce: "3 nodes, RF3, acks=all, fsync: produce peak",
    produceJs: "3 nodes, RF3, acks=all, fsync: produce peak (JS client)",
    consumeFresh: "3 nodes: consume, fresh (just written)",
    consumeCold: "3 nodes: consume from disk (page cache dropped, kcat)",
    readCold: "raw read of the topic's segment files from disk (page cache dropped)",
    readCached: "raw read of the topic's segment files (page cache)",
    consumeCached: "3 nodes: consume, cached (python)",
    consumeKcat: "3 nodes: consume, cached (kcat)",
    latency20: "3 nodes, acks=all: fixed rate at 20% of peak",
    latency60: "3 nodes, acks=all: fixed rate at 60% of peak",
    idleCpu: `3 nodes: idle CPU with ${p.idlePartitions} partitions RF3`,
    failover: "3 nodes: SIGKILL partition leader → next acks=all produce",
  };
  const rows: Measurement[] = [];
  const missing = (reason: string) => {
    for (const key of Object.keys(THREE_IDS) as Key[]) {
      if (!rows.some((r) => r.id === THREE_IDS[key]))
        rows.push(notRun(THREE_IDS[key], groupOf(key), titles[key], reason, base));
    }
  };
  let cluster: BenchCluster | undefined;
  try {
    cluster = await BenchCluster.create(3, "bench-3n");
    ctx.log("chronik: starting 3-node cluster …");
    const startup = await cluster.start(p.readyTimeoutMs);
    const c = cluster;
    rows.push(
      measured({
        id: THREE_IDS.startup,
        group: "chronik",
        title: titles.startup,
        client: "HTTP poll of /health/ready every 10 ms",
        metrics: { millis: startup.allReadyMs, perNode: startup.perNodeMs },
        params: { nodes: 3, data: "empty data dirs" },
      }),
    );
    const rd = () => {
      if (ctx.librdkafkaMissing) throw new Error(ctx.librdkafkaMissing);
    };
    const topic = "bench-3n";
    await createTopics(c.bootstrapList(), [
      { topic, partitions: p.partitions, replicationFactor: 3 },
      { topic: "bench-3n-js", partitions: p.partitions, replicationFactor: 3 },
      { topic: "bench-rate", partitions: p.partitions, replicationFactor: 3 },
    ]);

    let peak: number | undefined;
    let written = 0;
    rows.push(
      await step(THREE_IDS.produce, titles.produce, produceParams, ctx, async () => {
        rd();
        const r = await rdProduce({
          bootstrap: c.bootstrap,
          topic,
          records: p.produceRecords,
          recordSize: p.recordSize,
          acks: "all",
          lingerMs: p.lingerMs,
          batchBytes: p.producerBatchBytes,
          compression: "none",
          timeoutS: p.stepTimeoutS,
        });
        peak = r.records_per_sec;
        written = r.records_acked;
        return produceRow(THREE_IDS.produce, titles.produce, r, produceParams);
      }),
    );
    const needsPeak = () => {
      if (written === 0) throw new Error("needs the records of the acks=all peak run, which did not run");
    };
    const python = async (key: "consumeFresh" | "consumeCached", read: string) =>
      step(THREE_IDS[key], titles[key], { ...base, read }, ctx, async () => {
        rd();
        needsPeak();
        const r = await rdConsume(c.bootstrap, topic, written, p.stepTimeoutS);
        return consumeRow(THREE_IDS[key], titles[key], r, { ...base, read });
      });
    const kcat = async (key: "consumeCold" | "consumeKcat", read: string, coldNote = "") =>
      step(THREE_IDS[key], titles[key], { ...base, read }, ctx, async () => {
        needsPeak();
        if (read === "disk") {
          const cannot = dropPageCache();
          if (cannot) throw new Error(cannot);
        }
        const r = await kcatConsume(c.bootstrap, topic, written, p.stepTimeoutS);
        return measured({
          id: THREE_IDS[key],
          group: "chronik",
          title: titles[key],
          client: r.client,
          metrics: { recordsPerSec: r.recordsPerSec, mbPerSec: r.mbPerSec, seconds: r.seconds },
          params: { ...base, read, records: r.records },
          notes: [`${coldNote}time includes kcat's process start, connect and metadata`],
        });
      });
    // The same bytes read straight from one replica's segment files: from disk, then cached.
    const rawRead = (key: "readCold" | "readCached", read: string): Measurement => {
      try {
        needsPeak();
        if (read === "disk") {
          const cannot = dropPageCache();
          if (cannot) throw new Error(cannot);
        }
        const files = segmentFiles(c.inner.node(1).dataDir, topic);
        return segmentRead(THREE_IDS[key], titles[key], files, p.recordSize, { topic, replica: 1, read });
      } catch (err) {
        return notRun(THREE_IDS[key], "baseline", titles[key], errorText(err), { read });
      }
    };
    rows.push(await python("consumeFresh", "fresh"));
    rows.push(await kcat("consumeCold", "disk", "page cache dropped first; "));
    rows.push(rawRead("readCold", "disk"), rawRead("readCached", "cached"));
    rows.push(await python("consumeCached", "cached"));
    rows.push(await kcat("consumeKcat", "cached"));
    rows.push(
      await step(THREE_IDS.produceJs, titles.produceJs, base, ctx, async () => {
        const r = await jsProduceWithFallback({
          client: ctx.jsClient,
          bootstrap: c.bootstrapList(),
          topic: "bench-3n-js",
          partitions: p.partitions,
          records: p.jsProduceRecords,
          recordSize: p.recordSize,
          acks: -1,
          batchBytes: p.batchBytes,
          timeoutMs: p.stepTimeoutS * 1000,
        });
        return jsProduceRow(THREE_IDS.produceJs, titles.produceJs, r, {
          ...base,
          batch: `${p.batchBytes} B per request`,
        });
      }),
    );
    for (const [key, share] of [
      ["latency20", 0.2],
      ["latency60", 0.6],
    ] as const) {
      rows.push(
        await step(THREE_IDS[key], titles[key], rateParams, ctx, async () => {
          rd();
          if (!peak) throw new Error("needs the acks=all peak figure, which was not measured");
          const rate = Math.max(1, Math.round(peak * share));
          const r = await rdProduce({
            bootstrap: c.bootstrap,
            topic: "bench-rate",
            records: Math.max(100, Math.round(rate * p.fixedRateSeconds)),
            recordSize: p.recordSize,
            acks: "all",
            lingerMs: rateLinger,
            batchBytes: p.producerBatchBytes,
            compression: "none",
            throughput: rate,
            timeoutS: p.fixedRateSeconds * 2 + 15,
          });
          const row = produceRow(THREE_IDS[key], titles[key], r, {
            ...rateParams,
            target_records_per_sec: rate,
          });
          row.notes = [
            `throttled to ${rate} records/s (${share * 100}% of the measured peak); send → ack includes up to ${rateLinger} ms of client linger`,
          ];
          return row;
        }),
      );
    }
    rows.push(
      await step(THREE_IDS.idleCpu, titles.idleCpu, base, ctx, async () => {
        const topics = await createIdlePartitions(c, p.idlePartitions, 3, p.idleCreateTimeoutMs);
        const perNode = await sampleIdleCpu(c, p.idleSampleSeconds);
        return measured({
          id: THREE_IDS.idleCpu,
          group: "chronik",
          title: titles.idleCpu,
          client: "kafkajs admin (CreateTopics) + /proc/<pid>/stat",
          metrics: { perNode, seconds: p.idleSampleSeconds },
          params: {
            partitions: p.idlePartitions,
            topics: topics.length,
            rf: 3,
            nodes: 3,
            sample_seconds: p.idleSampleSeconds,
          },
        });
      }),
    );
    rows.push(
      await step(THREE_IDS.failover, titles.failover, base, ctx, async () => {
        const r = await measureFailover(c, 30_000);
        return measured({
          id: THREE_IDS.failover,
          group: "chronik",
          title: titles.failover,
          client: "kafkajs (fresh producer per attempt, acks=all)",
          metrics: { millis: r.millis },
          params: { nodes: 3, rf: 3, killed_node: r.killedNode, attempts: r.attempts },
        });
      }),
    );
  } catch (err) {
    ctx.log(`chronik: 3-node scenario: ${errorText(err)}`);
    missing(errorText(err));
  } finally {
    const kept = await cluster?.destroy(rows.some((r) => r.status !== "ok"));
    if (kept) ctx.log(`chronik: node logs of the failed scenario kept in ${kept}`);
  }
  return rows;
}
