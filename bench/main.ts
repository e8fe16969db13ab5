// `npm run bench`: baselines and chronik scenarios in one run, so every ratio compares figures taken
// on the same (shared, noisy) machine minutes apart. A step that cannot run becomes a "not run" row.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBenchArgs } from "./args.ts";
import { diskSyncRate } from "./baselines/disk-sync.ts";
import { fileToTcp } from "./baselines/file-tcp.ts";
import { natsJetStream } from "./baselines/nats.ts";
import { tcpToFile } from "./baselines/tcp-file.ts";
import { librdkafkaUnavailable } from "./clients/librdkafka.ts";
import { full, quick } from "./profile.ts";
import { hostInfo, load1, type RunInfo } from "./report/run-info.ts";
import { evaluate } from "./report/targets.ts";
import { writeReport } from "./report/write.ts";
import { errorText, type Measurement, notRun } from "./result.ts";
import { compaction } from "./scenarios/compaction.ts";
import type { BenchContext } from "./scenarios/context.ts";
import { restarts } from "./scenarios/restarts.ts";
import { singleNode } from "./scenarios/single-node.ts";
import { threeNode } from "./scenarios/three-node.ts";

const NATS_URL = process.env.BENCH_NATS_URL ?? "127.0.0.1:4222";

async function baseline(
  id: string,
  title: string,
  log: (s: string) => void,
  fn: () => Promise<Measurement> | Measurement,
): Promise<Measurement> {
  log(`baseline: ${title} …`);
  try {
    return await fn();
  } catch (err) {
    log(`baseline: ${title}: not run: ${errorText(err)}`);
    return notRun(id, "baseline", title, errorText(err));
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv, join(import.meta.dirname, "results"));
  if (typeof args === "string") {
    const help = argv.includes("--help") || argv.includes("-h");
    (help ? console.log : console.error)(args);
    return help ? 0 : 2;
  }
  const profile = args.quick ? quick : full;
  const startedAt = new Date().toISOString();
  const loadAtStart = load1();
  const t0 = performance.now();
  const log = (line: string) =>
    console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${line}`);
  const dataDir = mkdtempSync(join(tmpdir(), "chronik-bench-"));
  const rows: Measurement[] = [];
  try {
    if (args.parts.includes("baselines")) {
      const p = profile;
      rows.push(
        await baseline("baseline.tcp_file", "(a) loopback TCP → file, no fsync", log, () =>
          tcpToFile({
            dir: dataDir,
            totalBytes: p.tcpBytes,
            batchBytes: p.batchBytes,
            recordSize: p.recordSize,
            sync: false,
          }),
        ),
        await baseline("baseline.tcp_file_sync", "(a) loopback TCP → file, fdatasync per batch", log, () =>
          tcpToFile({
            dir: dataDir,
            totalBytes: p.tcpBytes / 4,
            batchBytes: p.batchBytes,
            recordSize: p.recordSize,
            sync: true,
          }),
        ),
        await baseline("baseline.fdatasync", "(b) raw disk: append + fdatasync", log, () =>
          diskSyncRate(dataDir, p.syncMillis),
        ),
        await baseline("baseline.file_tcp", "physical consume path: cached file → loopback TCP", log, () =>
          fileToTcp(dataDir, p.tcpBytes, p.recordSize),
        ),
      );
    }
    if (args.parts.includes("nats")) {
      rows.push(
        await baseline("baseline.nats_jetstream", "(c) NATS JetStream publish, file stream, acked", log, () =>
          natsJetStream({ servers: NATS_URL, messages: profile.natsMessages, size: profile.recordSize }),
        ),
      );
    }
    if (args.parts.some((part) => ["single", "three", "restarts", "compaction"].includes(part))) {
      const ctx: BenchContext = {
        profile,
        jsClient: args.jsClient,
        dataDir,
        librdkafkaMissing: await librdkafkaUnavailable(),
        log,
        deadline: Date.now() + profile.budgetSeconds * 1000 - (performance.now() - t0),
      };
      if (ctx.librdkafkaMissing) log(`librdkafka client unavailable: ${ctx.librdkafkaMissing}`);
      if (args.parts.includes("single")) rows.push(...(await singleNode(ctx)));
      if (args.parts.includes("three")) rows.push(...(await threeNode(ctx)));
      if (args.parts.includes("restarts")) rows.push(...(await restarts(ctx)));
      if (args.parts.includes("compaction")) rows.push(...(await compaction(ctx)));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const info: RunInfo = {
    startedAt,
    finishedAt: new Date().toISOString(),
    profile: profile.name,
    command: `npm run bench --${argv.length ? ` ${argv.join(" ")}` : ""}`,
    host: hostInfo(),
    load: { start: loadAtStart, end: load1() },
  };
  const checks = evaluate(rows);
  const files = writeReport(args.outDir, info, profile, rows, checks);
  log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  for (const c of checks)
    console.log(
      `${c.pass === undefined ? "not run" : c.pass ? "meets  " : "misses "}  ${c.target}: ${c.verdictText}`,
    );
  console.log(
    `report: ${files.md}\n        ${files.json}\n        ${files.svg}${files.png ? `\n        ${files.png}` : ""}`,
  );
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
