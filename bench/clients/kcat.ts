// kcat (librdkafka in C, no Python in the loop) as a second consumer: reads N records from the start
// of every partition, printing only each payload's length. The time includes process start, connect
// and metadata, so the figure is a slight underestimate.
import { run } from "../proc.ts";
import { rates } from "../stats.ts";

export const kcatBin = process.env.BENCH_KCAT ?? "/usr/bin/kcat";

export interface KcatConsumeReport {
  client: string;
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
}

export async function kcatVersion(): Promise<string> {
  const r = await run(kcatBin, ["-V"], 10_000);
  const m = /Version (\S+).*librdkafka (\S+)/s.exec(r.stdout + r.stderr);
  return m ? `kcat ${m[1]} (librdkafka ${m[2]})` : "kcat";
}

export async function kcatConsume(
  bootstrap: string,
  topic: string,
  records: number,
  timeoutS: number,
): Promise<KcatConsumeReport> {
  const client = await kcatVersion();
  const args = [
    "-C",
    "-b",
    bootstrap,
    "-t",
    topic,
    "-o",
    "beginning",
    "-e",
    "-q",
    "-c",
    String(records),
    "-f",
    "%S\\n",
  ];
  args.push(
    "-X",
    "fetch.wait.max.ms=100",
    "-X",
    "fetch.max.bytes=52428800",
    "-X",
    "max.partition.fetch.bytes=4194304",
  );
  const start = performance.now();
  const r = await run(kcatBin, args, timeoutS * 1000);
  const seconds = (performance.now() - start) / 1000;
  let count = 0;
  let bytes = 0;
  for (const line of r.stdout.split("\n")) {
    if (line === "") continue;
    count++;
    bytes += Math.max(0, Number(line));
  }
  if (count < records) {
    throw new Error(
      `kcat read ${count}/${records} records (exit ${r.code}${r.timedOut ? ", killed on timeout" : ""}): ${r.stderr.trim().split("\n").slice(-2).join(" | ").slice(0, 300)}`,
    );
  }
  return { client, records: count, bytes, seconds, ...rates(count, bytes, seconds) };
}
