import { join } from "node:path";
import type { TestCluster } from "../../support/cluster.ts";
import { waitFor } from "../../support/poll.ts";
import { checkAcknowledged, checkOrderAndUniqueness } from "../failover/checks.ts";
import { createTopic, type PartitionContents, ProducerProcess, readPartitions } from "../failover/clients.ts";
import { brokersOf, waitForSteadyAcks } from "../failover/scenario.ts";
import { type ClientError, GroupMember } from "./group-member.ts";

// The restart tests' load: librdkafka's idempotent producer (acks=all) and a group of three
// librdkafka consumers on one topic, running while nodes restart; then the checks a user cares about.

// What librdkafka reports while brokers come and go; anything else reaching the application (a fatal
// error, a failed delivery, an error the broker says is not worth retrying) fails the test.
const TRANSIENT_LOCAL = new Set(["_TRANSPORT", "_ALL_BROKERS_DOWN", "_TIMED_OUT", "_WAIT_COORD", "_RESOLVE"]);
// Group protocol answers a member acts on by rejoining; its commit is then lost, and counted.
const REJOIN = new Set(["REBALANCE_IN_PROGRESS", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID"]);
// Broker answers Kafka defines as retriable (its RetriableException family, by librdkafka's names)
// that librdkafka may pass on to the application as informational events while it retries:
// "go elsewhere" and "not yet". UNKNOWN_TOPIC_OR_PART is left out on purpose: the cluster has the topic.
const RETRIABLE_BROKER = new Set([
  "NOT_LEADER_FOR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "NOT_COORDINATOR",
  "COORDINATOR_NOT_AVAILABLE",
  "COORDINATOR_LOAD_IN_PROGRESS",
  "REQUEST_TIMED_OUT",
  "FENCED_LEADER_EPOCH",
  "UNKNOWN_LEADER_EPOCH",
  "NOT_ENOUGH_REPLICAS",
  "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
]);

export function isRetriable(e: Pick<ClientError, "code" | "fatal" | "retriable">): boolean {
  if (e.fatal) return false;
  return TRANSIENT_LOCAL.has(e.code) || REJOIN.has(e.code) || RETRIABLE_BROKER.has(e.code) || e.retriable;
}

// "KafkaError{code=_TRANSPORT,val=-195,str=...}" -> "_TRANSPORT"
function codeOf(err: string | undefined): string {
  return /code=([A-Z_]+)/.exec(err ?? "")?.[1] ?? "unknown";
}

export interface Load {
  topic: string;
  partitions: number;
  producer: ProducerProcess;
  members: GroupMember[];
}

export async function startLoad(cluster: TestCluster, topic: string, partitions: number): Promise<Load> {
  const brokers = brokersOf(cluster);
  await createTopic(brokers, topic, partitions);
  const bootstrap = brokers.join(",");
  const producer = ProducerProcess.start(
    // "msg" debug: the log shows each broker error librdkafka retried, counted by countRetried().
    { bootstrap, topic, partitions, idempotent: true, debug: "msg" },
    join(cluster.dir, `${topic}-producer.log`),
  );
  const members = [1, 2, 3].map(
    (i) =>
      new GroupMember(
        `m${i}`,
        { bootstrap, topic, group: `${topic}-group`, debug: "cgrp,fetch" },
        join(cluster.dir, `${topic}-m${i}.log`),
      ),
  );
  const load = { topic, partitions, producer, members };
  await waitForSteadyAcks(producer, partitions, 50);
  await waitFor(
    "every partition assigned to a member of the group",
    () => new Set(members.flatMap((m) => m.assignment ?? [])).size === partitions,
    { timeoutMs: 60_000 },
  );
  return load;
}

export function stopLoadNow(load: Load | undefined): void {
  load?.producer.kill();
  for (const m of load?.members ?? []) m.kill();
}

export interface LoadResult {
  acked: number;
  contents: PartitionContents;
  lost: number;
  misplaced: number;
  logDuplicates: number;
  logReordered: number;
  // Acknowledged messages the group never delivered.
  notConsumed: number;
  groupDuplicates: number;
  lostCommitRecords: number;
  // librdkafka#5586 workarounds the members needed (OffsetFetch answered by a stale coordinator).
  requeried: number;
  // Per member and partition, offsets that went backwards without a commit lost in between.
  groupReordered: number;
  producerErrors: Record<string, number>;
  memberErrors: Record<string, number>;
  nonRetriable: string[];
  // Longest time between two acknowledgements of one partition, ms.
  longestStallMs: number;
}

function count(codes: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of codes) out[c] = (out[c] ?? 0) + 1;
  return out;
}

// Stops producing, reads the topic back, waits until the group has delivered every record, stops the
// members and checks both: the log holds every acknowledged message once and in order; the group
// delivered each at least once, twice only where a commit was lost to a rebalance.
export async function finishLoad(cluster: TestCluster, load: Load): Promise<LoadResult> {
  const { producer, members, topic, partitions } = load;
  await producer.stop();
  const bootstrap = brokersOf(cluster).join(",");
  const contents = await readPartitions(bootstrap, topic, partitions);
  const all = Object.entries(contents.records).flatMap(([p, recs]) => recs.map(([o]) => `${p}:${o}`));
  const delivered = () => new Set(members.flatMap((m) => m.received.map(([p, o]) => `${p}:${o}`)));
  await waitFor(
    `the group to deliver all ${all.length} records`,
    () => {
      const d = delivered();
      return all.every((k) => d.has(k));
    },
    { timeoutMs: 90_000, intervalMs: 200 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; delivered ${delivered().size}`);
  });
  await Promise.all(members.map((m) => m.stop()));

  const acked = checkAcknowledged(producer.acks, contents);
  const order = checkOrderAndUniqueness(contents);
  const receivedTotal = members.reduce((n, m) => n + m.received.length, 0);
  let groupReordered = 0;
  for (const m of members) {
    const last = new Map<number, number>();
    for (const [p, o] of m.received) {
      if (o <= (last.get(p) ?? -1) && m.lostCommitRecords === 0) groupReordered++;
      last.set(p, o);
    }
  }
  const byPartition = new Map<number, number[]>();
  for (const a of producer.acks) byPartition.set(a.p, [...(byPartition.get(a.p) ?? []), a.t]);
  let longestStallMs = 0;
  for (const times of byPartition.values()) {
    times.sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) longestStallMs = Math.max(longestStallMs, times[i] - times[i - 1]);
  }
  const producerFailures = producer.failures.map((f) => ({
    code: f.ev === "nack" ? `nack:${codeOf(f.err)}` : codeOf(f.err),
    fatal: f.fatal ?? false,
    retriable: false,
    text: f.err ?? "",
  }));
  const memberErrors = members.flatMap((m) => m.errors);
  const nonRetriable = [
    ...producerFailures
      .filter((f) => f.code.startsWith("nack:") || !isRetriable(f))
      .map((f) => `producer ${f.text}`),
    ...memberErrors.filter((e) => !isRetriable(e)).map((e) => `member ${e.err}`),
  ];
  const deliveredSet = delivered();
  return {
    acked: producer.acks.length,
    contents,
    lost: acked.missing.length,
    misplaced: acked.misplaced.length,
    logDuplicates: order.duplicates.length,
    logReordered: order.reordered.length,
    notConsumed: producer.acks.filter((a) => !deliveredSet.has(`${a.p}:${a.o}`)).length,
    groupDuplicates: receivedTotal - deliveredSet.size,
    lostCommitRecords: members.reduce((n, m) => n + m.lostCommitRecords, 0),
    requeried: members.reduce((n, m) => n + m.requeried, 0),
    groupReordered,
    producerErrors: count(producerFailures.map((f) => f.code)),
    memberErrors: count(memberErrors.map((e) => e.code)),
    nonRetriable,
    longestStallMs: Math.round(longestStallMs),
  };
}

// Errors librdkafka met on produce requests and handled on its own, by message, from the producer's
// "msg" debug log ("... encountered error: Broker: Not leader for partition (actions ...)").
export function countRetried(log: string): Record<string, number> {
  return count([...log.matchAll(/encountered error: ([^(\n]+?) \(actions/g)].map((m) => m[1]));
}

export function summary(r: LoadResult): string {
  const { contents: _, ...rest } = r;
  return JSON.stringify(rest);
}
