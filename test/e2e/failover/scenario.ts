import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestCluster } from "../../support/cluster.ts";
import { waitFor } from "../../support/poll.ts";
import { type Failover, measureFailover } from "./checks.ts";
import {
  createTopic,
  type PartitionContents,
  type ProducerEvent,
  ProducerProcess,
  readPartitions,
  waitForLeaders,
} from "./clients.ts";

// Steps shared by the failover tests: kill a partition leader while a producer runs, watch the
// producer recover on a new leader, bring the node back.

export const fastBroker = { broker: { session_timeout_ms: 3000, heartbeat_interval_ms: 500 } };

export function brokersOf(cluster: TestCluster, except: number[] = []): string[] {
  return cluster.nodes.filter((n) => !except.includes(n.id)).map((n) => `127.0.0.1:${n.kafkaPort}`);
}

// Says where the producer stands, for the message of a wait that timed out.
function producerState(producer: ProducerProcess, partitions: number, after = 0): Error {
  const counts = Array.from({ length: partitions }, (_, p) => producer.acksFor(p, after));
  const last = producer.failures.at(-1);
  return new Error(`acks per partition ${JSON.stringify(counts)}, last client error ${JSON.stringify(last)}`);
}

export async function waitForSteadyAcks(
  producer: ProducerProcess,
  partitions: number,
  perPartition: number,
): Promise<void> {
  await waitFor(
    `${perPartition} acknowledgements on each of ${partitions} partitions`,
    () => {
      const counts = Array.from({ length: partitions }, (_, p) => producer.acksFor(p));
      if (counts.every((n) => n >= perPartition)) return true;
      throw producerState(producer, partitions);
    },
    { timeoutMs: 30_000 },
  );
}

export interface FailoverRound extends Failover {
  newLeader: number;
  // Ms from the kill until a fresh Metadata request named the new leader (polled every 100 ms).
  leaderSeenMs: number;
}

// SIGKILLs the current leader of `partition`, waits for Metadata to name another leader and for
// the producer to be acknowledged on it, then restarts the killed node and waits for it to be ready.
export async function killLeaderUnderLoad(
  cluster: TestCluster,
  producer: ProducerProcess,
  topic: string,
  partitions: number,
  partition: number,
  acksAfterKill: number,
): Promise<FailoverRound> {
  const leaders = await waitForLeaders(brokersOf(cluster), topic, partitions);
  const killed = leaders.get(partition)!;
  const killedAt = Date.now();
  await cluster.kill(killed);
  const after = await waitForLeaders(brokersOf(cluster, [killed]), topic, partitions, [killed]);
  const leaderSeenMs = Date.now() - killedAt;
  await waitFor(
    `${acksAfterKill} acknowledgements on partition ${partition} after node ${killed} was killed`,
    () => {
      if (producer.acksFor(partition, killedAt + 200) >= acksAfterKill) return true;
      throw producerState(producer, partitions, killedAt + 200);
    },
    { timeoutMs: 30_000 },
  );
  cluster.start(killed);
  await cluster.waitReady(killed);
  return {
    ...measureFailover(producer.acks, partition, killed, killedAt),
    newLeader: after.get(partition)!,
    leaderSeenMs,
  };
}

export interface LoadRun {
  producer: ProducerProcess;
  failovers: FailoverRound[];
  summary: ProducerEvent;
  contents: PartitionContents;
}

// The whole scenario on a started cluster: create the topic, produce continuously, fail over the
// leader of partition 0 `rounds` times, stop the producer and read every partition back. `onStart`
// hands the producer out at once so the caller can kill it if a step throws.
export async function runKillRounds(
  cluster: TestCluster,
  opts: { topic: string; partitions: number; idempotent: boolean; rounds: number },
  onStart: (p: ProducerProcess) => void,
): Promise<LoadRun> {
  const { topic, partitions } = opts;
  await createTopic(brokersOf(cluster), topic, partitions);
  await waitForLeaders(brokersOf(cluster), topic, partitions);
  const producer = ProducerProcess.start(
    {
      bootstrap: cluster.bootstrap,
      topic,
      partitions,
      idempotent: opts.idempotent,
      debug: process.env.FAILOVER_RDKAFKA_DEBUG,
    },
    join(cluster.dir, "producer.log"),
  );
  onStart(producer);
  await waitForSteadyAcks(producer, partitions, 200);
  const failovers: FailoverRound[] = [];
  for (let i = 0; i < opts.rounds; i++)
    failovers.push(await killLeaderUnderLoad(cluster, producer, topic, partitions, 0, 100));
  const summary = await producer.stop();
  const contents = await readPartitions(cluster.bootstrap, topic, partitions);
  return { producer, failovers, summary, contents };
}

export function describeRun(label: string, run: LoadRun): string {
  const stored = Object.values(run.contents.records).reduce((n, r) => n + r.length, 0);
  const rounds = run.failovers.map((f) => ({
    killed: f.killed,
    newLeader: f.newLeader,
    leaderSeenMs: f.leaderSeenMs,
    firstAckMs: f.firstAckMs,
    stragglers: f.stragglers,
    lastStragglerMs: f.lastStragglerMs,
  }));
  return (
    `${label} failover: ${JSON.stringify(rounds)}; produced ${run.summary.produced}, ` +
    `acknowledged ${run.producer.acks.length}, unfinished ${run.summary.unfinished}, stored ${stored}, ` +
    `client errors ${run.producer.failures.length}`
  );
}

// Writes what a failed run needs for diagnosis next to the cluster's files; returns the path.
export function saveEvidence(cluster: TestCluster, name: string, evidence: unknown): string {
  const file = join(cluster.dir, `${name}.evidence.json`);
  writeFileSync(file, JSON.stringify(evidence, null, 1));
  return file;
}
