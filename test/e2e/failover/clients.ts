import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { waitFor } from "../../support/poll.ts";

// Real clients for the failover tests: librdkafka (confluent_kafka under the system python) produces
// and reads back; kafkajs answers Metadata questions in process.

const python = "/usr/bin/python3";
const here = import.meta.dirname;
const run = promisify(execFile);

export interface Ack {
  id: number;
  p: number;
  o: number;
  t: number;
}

export interface ProducerEvent {
  ev: "ack" | "nack" | "error" | "done";
  id?: number;
  p?: number;
  o?: number;
  t: number;
  err?: string;
  fatal?: boolean;
  produced?: number;
  unfinished?: number;
}

export interface ProducerConfig {
  bootstrap: string;
  topic: string;
  partitions: number;
  idempotent: boolean;
  inflight?: number;
  // librdkafka `debug` contexts (e.g. "metadata,broker,topic,msg"), for diagnosing a slow failover.
  debug?: string;
  // Further librdkafka properties.
  conf?: Record<string, string | number | boolean>;
}

// A python process producing numbered messages until stop(); every delivery report is kept.
export class ProducerProcess {
  readonly acks: Ack[] = [];
  readonly failures: ProducerEvent[] = [];
  private finished?: ProducerEvent;
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((r) => child.once("exit", (code) => r(code)));
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const e = JSON.parse(line) as ProducerEvent;
      if (e.ev === "ack") this.acks.push({ id: e.id!, p: e.p!, o: e.o!, t: e.t });
      else if (e.ev === "done") this.finished = e;
      else this.failures.push(e);
    });
  }

  // The client's own log (librdkafka, stderr) goes to `logFile`.
  static start(cfg: ProducerConfig, logFile: string): ProducerProcess {
    const child = spawn(python, [join(here, "producer.py"), JSON.stringify(cfg)], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stderr?.pipe(createWriteStream(logFile));
    return new ProducerProcess(child);
  }

  acksFor(p: number, after = 0): number {
    return this.acks.filter((a) => a.p === p && a.t > after).length;
  }

  // Stops producing, waits for the in-flight sends to be reported, returns the final summary.
  async stop(): Promise<ProducerEvent> {
    this.child.stdin?.end("stop\n");
    const code = await this.exited;
    if (!this.finished) throw new Error(`producer exited ${code} without a summary (see its log file)`);
    return this.finished;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

export interface PartitionContents {
  high: Record<string, number>;
  // [offset, message id] in offset order, per partition.
  records: Record<string, [number, number][]>;
}

// Reads every partition from the beginning to its high watermark with a fresh client.
export async function readPartitions(
  bootstrap: string,
  topic: string,
  partitions: number,
): Promise<PartitionContents> {
  const { stdout } = await run(
    python,
    [join(here, "read_partitions.py"), JSON.stringify({ bootstrap, topic, partitions })],
    { maxBuffer: 256 * 1024 * 1024, timeout: 90_000 },
  );
  return JSON.parse(stdout) as PartitionContents;
}

function kafka(brokers: string[]): Kafka {
  return new Kafka({
    clientId: "failover-test",
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
    connectionTimeout: 1000,
    requestTimeout: 3000,
  });
}

export async function createTopic(brokers: string[], topic: string, partitions: number): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

// Partition -> leader node id, as a fresh client sees it in a Metadata response.
export async function partitionLeaders(brokers: string[], topic: string): Promise<Map<number, number>> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return new Map(topics[0].partitions.map((p) => [p.partitionId, p.leader]));
  } finally {
    await admin.disconnect();
  }
}

// Waits until Metadata names a live leader for every partition, none of them in `not`.
export async function waitForLeaders(
  brokers: string[],
  topic: string,
  partitions: number,
  not: number[] = [],
  timeoutMs = 30_000,
): Promise<Map<number, number>> {
  return waitFor(
    `leaders for all ${partitions} partitions of ${topic}, none on ${not.join(",") || "-"}`,
    async () => {
      const leaders = await partitionLeaders(brokers, topic);
      const ok = leaders.size === partitions && [...leaders.values()].every((l) => l > 0 && !not.includes(l));
      return ok ? leaders : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}
