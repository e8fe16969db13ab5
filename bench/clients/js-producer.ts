// The second load generator: a JavaScript Kafka client in this process, sending pre-built batches
// with a bounded number of requests in flight. Per-record latency is its batch's send→ack time.
import "../../test/support/node20-shim.ts";
import { Producer } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import type { Latency } from "../result.ts";
import { rates, summarize } from "../stats.ts";

export type JsClientName = "platformatic" | "kafkajs";

interface BatchSender {
  name: string;
  send(partition: number, values: Buffer[]): Promise<void>;
  close(): Promise<void>;
}

export interface JsProduceArgs {
  client: JsClientName;
  bootstrap: string[];
  topic: string;
  partitions: number;
  records: number;
  recordSize: number;
  acks: 1 | -1;
  batchBytes: number;
  inFlight?: number;
  timeoutMs: number;
}

export interface JsProduceReport {
  client: string;
  notes?: string[];
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  latencyMs?: Latency;
}

async function platformatic(args: JsProduceArgs): Promise<BatchSender> {
  const producer = new Producer({
    clientId: "chronik-bench",
    bootstrapBrokers: args.bootstrap,
    acks: args.acks,
    retries: 0,
    timeout: args.timeoutMs,
  });
  return {
    name: "@platformatic/kafka",
    async send(partition, values) {
      await producer.send({
        acks: args.acks,
        messages: values.map((value) => ({ topic: args.topic, partition, value })),
      });
    },
    close: () => producer.close(true),
  };
}

async function kafkajs(args: JsProduceArgs): Promise<BatchSender> {
  const kafka = new Kafka({
    clientId: "chronik-bench",
    brokers: args.bootstrap,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: args.inFlight ?? 5 });
  await producer.connect();
  return {
    name: "kafkajs",
    async send(partition, values) {
      await producer.send({
        topic: args.topic,
        acks: args.acks,
        timeout: args.timeoutMs,
        messages: values.map((value) => ({ value, partition })),
      });
    },
    close: () => producer.disconnect(),
  };
}

export async function jsProduce(args: JsProduceArgs): Promise<JsProduceReport> {
  const sender = args.client === "kafkajs" ? await kafkajs(args) : await platformatic(args);
  const perBatch = Math.max(1, Math.floor(args.batchBytes / args.recordSize));
  const value = Buffer.alloc(args.recordSize);
  for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) % 251;
  const batch = Array.from({ length: perBatch }, () => value);
  const batches = Math.ceil(args.records / perBatch);
  const inFlight = args.inFlight ?? 5;
  // Every batch holds perBatch records, so percentiles over batches equal those over records.
  const latencies: number[] = [];
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const start = performance.now();
  let seconds = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let stopped = false;
      const finish = (err?: unknown) => {
        if (stopped) return;
        stopped = true;
        seconds = (performance.now() - start) / 1000;
        if (err === undefined) resolve();
        else reject(err);
      };
      // At the time limit the run stops and reports what was acked so far.
      timer = setTimeout(
        () =>
          finish(
            latencies.length > 0
              ? undefined
              : new Error(`${sender.name}: no batch acked within ${args.timeoutMs} ms`),
          ),
        args.timeoutMs,
      );
      const pump = () => {
        while (!stopped && sent < batches && sent - latencies.length < inFlight) {
          sent++;
          const t0 = performance.now();
          sender.send((sent - 1) % args.partitions, batch).then(
            () => {
              if (stopped) return;
              latencies.push(performance.now() - t0);
              if (latencies.length === batches) finish();
              else pump();
            },
            (err: unknown) => finish(err),
          );
        }
      };
      pump();
    });
  } finally {
    clearTimeout(timer);
    await Promise.resolve()
      .then(() => sender.close())
      .catch(() => {});
  }
  const records = latencies.length * perBatch;
  return {
    client: sender.name,
    records,
    seconds,
    ...rates(records, records * args.recordSize, seconds),
    latencyMs: summarize(latencies),
    notes:
      latencies.length < batches
        ? [`stopped at the time limit after ${latencies.length} of ${batches} batches`]
        : undefined,
  };
}

// The chosen client first; if it fails (e.g. a client bug on this Node version), the other one, with
// the first failure noted in the report.
export async function jsProduceWithFallback(args: JsProduceArgs): Promise<JsProduceReport> {
  try {
    return await jsProduce(args);
  } catch (err) {
    const other: JsClientName = args.client === "kafkajs" ? "platformatic" : "kafkajs";
    const first = err instanceof Error ? err.message : String(err);
    const report = await jsProduce({ ...args, client: other });
    return {
      ...report,
      notes: [`${args.client} failed (${first.slice(0, 200)}); measured with ${other} instead`],
    };
  }
}
