// Drives bench/clients/kafka_perf.py (librdkafka through confluent-kafka-python), the primary
// producer and consumer load generator.
import { join } from "node:path";
import { lastJson, run } from "../proc.ts";
import type { Latency } from "../result.ts";

const script = join(import.meta.dirname, "kafka_perf.py");
export const python = process.env.BENCH_PYTHON ?? "/usr/bin/python3";

export interface ProduceArgs {
  bootstrap: string;
  topic: string;
  records: number;
  recordSize: number;
  acks: "0" | "1" | "all";
  lingerMs: number;
  batchBytes: number;
  compression: string;
  // records/s; omit for unthrottled.
  throughput?: number;
  // Record i gets key i % keys (a compacted topic takes keyed records only); omit for no keys.
  keys?: number;
  timeoutS: number;
}

export interface ProduceReport {
  client: string;
  records_sent: number;
  records_acked: number;
  errors: number;
  first_error: string | null;
  seconds: number;
  records_per_sec: number;
  mb_per_sec: number;
  latency_ms: Latency | null;
}

export interface ConsumeReport {
  client: string;
  records: number;
  bytes: number;
  errors: number;
  first_error: string | null;
  seconds: number;
  records_per_sec: number;
  mb_per_sec: number;
  error?: string;
}

// Undefined when the client loads; otherwise why it does not.
export async function librdkafkaUnavailable(): Promise<string | undefined> {
  try {
    const r = await run(python, ["-c", "import confluent_kafka"], 20_000);
    return r.code === 0
      ? undefined
      : `${python} cannot import confluent_kafka: ${r.stderr.trim().split("\n").pop()}`;
  } catch (err) {
    return `${python} did not start: ${String(err)}`;
  }
}

export async function rdProduce(a: ProduceArgs): Promise<ProduceReport> {
  const args = [
    script,
    "produce",
    "--bootstrap",
    a.bootstrap,
    "--topic",
    a.topic,
    "--num-records",
    String(a.records),
    "--record-size",
    String(a.recordSize),
    "--acks",
    a.acks,
    "--linger-ms",
    String(a.lingerMs),
    "--batch-size",
    String(a.batchBytes),
    "--compression",
    a.compression,
    "--throughput",
    String(a.throughput ?? -1),
    "--keys",
    String(a.keys ?? 0),
    "--timeout-s",
    String(a.timeoutS),
  ];
  const r = await run(python, args, (a.timeoutS + 30) * 1000);
  const report = lastJson<ProduceReport>(r.stdout);
  if (!report)
    throw new Error(
      `kafka_perf.py produce printed no report (exit ${r.code}${r.timedOut ? ", killed on timeout" : ""}): ${tail(r.stderr)}`,
    );
  // A run stopped by its time limit still measured a rate; only a run with no acks at all fails.
  if (report.records_acked === 0) {
    throw new Error(
      `produce acked ${report.records_acked}/${a.records} records (${report.errors} errors, first: ${report.first_error ?? "none"}); ${tail(r.stderr)}`,
    );
  }
  return report;
}

export async function rdConsume(
  bootstrap: string,
  topic: string,
  records: number,
  timeoutS: number,
): Promise<ConsumeReport> {
  const args = [
    script,
    "consume",
    "--bootstrap",
    bootstrap,
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--timeout-s",
    String(timeoutS),
  ];
  const r = await run(python, args, (timeoutS + 30) * 1000);
  const report = lastJson<ConsumeReport>(r.stdout);
  if (!report) throw new Error(`kafka_perf.py consume printed no report (exit ${r.code}): ${tail(r.stderr)}`);
  if (report.error) throw new Error(report.error);
  if (report.records < records)
    throw new Error(
      `consumed ${report.records}/${records} records (first error: ${report.first_error ?? "none"}); ${tail(r.stderr)}`,
    );
  return report;
}

function tail(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ").slice(0, 400);
}
