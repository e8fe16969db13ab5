// Failover: SIGKILL the leader of a partition (found from Metadata) and time until the next acks=all
// produce to that partition succeeds. Each attempt uses a fresh client bootstrapped from the
// surviving nodes, so the figure is the cluster's, not a client's backoff schedule.
import { Kafka, logLevel } from "kafkajs";
import { createTopics, partitionLeaders } from "../clients/admin.ts";
import type { BenchCluster } from "../cluster/bench-cluster.ts";

async function produceOnce(bootstrap: string[], topic: string, attemptTimeoutMs: number): Promise<void> {
  const kafka = new Kafka({
    clientId: "chronik-bench-failover",
    brokers: bootstrap,
    logLevel: logLevel.NOTHING,
    connectionTimeout: attemptTimeoutMs,
    requestTimeout: attemptTimeoutMs,
    retry: { retries: 0 },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      timeout: attemptTimeoutMs,
      messages: [{ partition: 0, value: Buffer.alloc(1024, 0x61) }],
    });
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

export interface FailoverResult {
  millis: number;
  killedNode: number;
  attempts: number;
}

// Retries one acks=all produce to partition 0 until it succeeds, bounded in time and attempts.
export async function untilProduced(bootstrap: string[], topic: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  let attempts = 0;
  let lastError = "";
  while (performance.now() - t0 < timeoutMs && attempts < 10_000) {
    attempts++;
    try {
      await produceOnce(bootstrap, topic, 1000);
      return attempts;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  throw new Error(
    `no acks=all produce to ${topic} succeeded within ${timeoutMs} ms (${attempts} attempts, last: ${lastError})`,
  );
}

export async function measureFailover(cluster: BenchCluster, timeoutMs: number): Promise<FailoverResult> {
  const topic = "bench-failover";
  await createTopics(cluster.bootstrapList(), [{ topic, partitions: 1, replicationFactor: 3 }]);
  await untilProduced(cluster.bootstrapList(), topic, 10_000);
  const leader = (await partitionLeaders(cluster.bootstrapList(), topic)).get(0);
  if (leader === undefined || leader < 0) throw new Error(`no leader for ${topic}-0 in Metadata`);
  const survivors = cluster.bootstrapList([leader]);
  const t0 = performance.now();
  await cluster.kill(leader);
  const attempts = await untilProduced(survivors, topic, timeoutMs).catch((err: unknown) => {
    throw new Error(`after SIGKILL of node ${leader}: ${err instanceof Error ? err.message : String(err)}`);
  });
  return { millis: performance.now() - t0, killedNode: leader, attempts };
}
