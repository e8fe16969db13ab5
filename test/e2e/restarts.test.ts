import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { readResponseFrame } from "../../data-node/src/kafka/protocol/codec.ts";
import { ErrorCode } from "../../data-node/src/kafka/protocol/errors.ts";
import { TestCluster } from "../support/cluster.ts";
import { waitFor } from "../support/poll.ts";
import { metadataRequest, RawClient } from "../support/raw-kafka-client.ts";
import { createTopic } from "./failover/clients.ts";
import { brokersOf } from "./failover/scenario.ts";
import {
  countRetried,
  finishLoad,
  type Load,
  type LoadResult,
  startLoad,
  stopLoadNow,
  summary,
} from "./restarts/load.ts";

// Restarts as Kafka clients see them (real processes, real librdkafka clients): the whole cluster
// SIGKILLed and restarted, a rolling restart through SIGTERM, and a node that comes back to a topic
// set that changed while it was down. Node defaults throughout (session timeout 6 s): a restarted
// node must not have to wait out its previous incarnation's session.

let cluster: TestCluster | undefined;
let load: Load | undefined;
afterEach(async () => {
  stopLoadNow(load);
  load = undefined;
  await cluster?.stopAll();
  cluster = undefined;
});

const ports = { kafkaBase: 26092, httpBase: 26181 };

function expectClean(r: LoadResult): void {
  expect(r.acked).toBeGreaterThan(0);
  expect({ lost: r.lost, misplaced: r.misplaced, dup: r.logDuplicates, reordered: r.logReordered }).toEqual({
    lost: 0,
    misplaced: 0,
    dup: 0,
    reordered: 0,
  });
  expect(r.notConsumed).toBe(0);
  // At-least-once group delivery: a record comes twice only when its commit was lost to a rebalance.
  expect(r.groupDuplicates).toBeLessThanOrEqual(r.lostCommitRecords);
  expect(r.groupReordered).toBe(0);
  expect(r.nonRetriable).toEqual([]);
}

// A restarted incarnation replaced its predecessor on the first attempt: nothing made it wait.
function expectImmediateRegistration(c: TestCluster): void {
  for (const n of c.nodes) expect(c.log(n.id)).not.toMatch(/DUPLICATE_BROKER_REGISTRATION/);
}

async function timedReady(c: TestCluster, ids: number[]): Promise<number> {
  const started = Date.now();
  await Promise.all(ids.map((id) => c.waitReady(id)));
  return Date.now() - started;
}

describe("restarts under load", () => {
  test("the whole cluster SIGKILLed and restarted: only retriable errors, every acknowledged message kept once", async () => {
    const c = new TestCluster({ nodes: 3, ...ports });
    cluster = c;
    await c.startAll();
    load = await startLoad(c, "restart-all", 6);
    const before = load.producer.acks.length;
    await Promise.all(c.nodes.map((n) => c.kill(n.id)));
    for (const n of c.nodes) c.start(n.id);
    const readyMs = await timedReady(
      c,
      c.nodes.map((n) => n.id),
    );
    const p = load.producer;
    await waitFor(
      "acknowledgements on every partition after the restart",
      () => Array.from({ length: 6 }, (_, i) => i).every((i) => p.acks.slice(before).some((a) => a.p === i)),
      { timeoutMs: 60_000 },
    );
    const r = await finishLoad(c, load);
    load = undefined;
    console.log(`full-cluster restart: all ready ${readyMs} ms after start; ${summary(r)}`);
    expectClean(r);
    expectImmediateRegistration(c);
  });

  test("a rolling restart through SIGTERM: only retriable errors, counted by code", async () => {
    const c = new TestCluster({ nodes: 3, ...ports });
    cluster = c;
    await c.startAll();
    load = await startLoad(c, "restart-rolling", 6);
    const readyMs: number[] = [];
    for (const n of c.nodes) {
      const acks = load.producer.acks.length;
      await c.stop(n.id);
      c.start(n.id);
      readyMs.push(await timedReady(c, [n.id]));
      // The producer makes progress before the next node goes.
      await waitFor("acknowledgements after the restart", () => load!.producer.acks.length > acks + 500, {
        timeoutMs: 60_000,
      });
    }
    const r = await finishLoad(c, load);
    const retried = countRetried(readFileSync(join(c.dir, "restart-rolling-producer.log"), "utf8"));
    load = undefined;
    console.log(
      `rolling restart: ready after ${readyMs.join("/")} ms; broker errors librdkafka retried ${JSON.stringify(retried)}; ${summary(r)}`,
    );
    expectClean(r);
    expectImmediateRegistration(c);
    // No answer about the producer's idempotence state (a sequence gap, an unknown producer, a fenced
    // epoch): librdkafka would reset that state. Retriable "go elsewhere" / "not yet" answers are fine.
    expect(Object.keys(retried).filter((e) => /sequence|producer|epoch is no longer valid/i.test(e))).toEqual(
      [],
    );
    // Each stop was controlled: its leaderships moved and __meta let it go before it exited.
    for (const n of c.nodes)
      expect(c.log(n.id)).toMatch(/"leaderships_moved":true,"still_leading":0,"broker_state":"fenced"/);
  });
});

type TopicAnswer = { errorCode: number; leaders: number[]; replicas: number[][] };

// Metadata for `topics` from one node, over a raw connection: exactly what that node answers.
async function askMetadata(
  port: number,
  topics: string[],
  autoCreate = false,
): Promise<Map<string, TopicAnswer> | undefined> {
  let client: RawClient;
  try {
    client = await RawClient.open(port);
  } catch {
    return undefined;
  }
  try {
    client.send(metadataRequest(1, 9, topics, autoCreate));
    const [frame] = await client.waitFrames(1, 15_000);
    const res = readResponseFrame(frame, 3, 9).body;
    return new Map(
      res.topics.map((t) => [
        t.name ?? "",
        {
          errorCode: t.errorCode,
          leaders: t.partitions.map((p) => p.leaderId),
          replicas: t.partitions.map((p) => p.replicaNodes),
        },
      ]),
    );
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

describe("a node that comes back to a changed cluster", () => {
  test("never serves the topic set it had before: retriable answers, then the truth", async () => {
    const c = new TestCluster({ nodes: 3, ...ports });
    cluster = c;
    await c.startAll();
    const brokers = brokersOf(c);
    await createTopic(brokers, "doomed", 3);
    await createTopic(brokers, "kept", 3);
    await c.kill(3);
    await createTopic(brokersOf(c, [3]), "born", 3);
    const { Kafka, logLevel } = await import("kafkajs");
    const admin = new Kafka({ brokers: brokersOf(c, [3]), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: ["doomed"] });
    await admin.disconnect();

    c.start(3);
    const answers: { at: number; ready: boolean; topics: Map<string, TopicAnswer> }[] = [];
    const port = c.node(3).kafkaPort;
    const asked = ["doomed", "born", "kept"];
    // Ask from the first moment the listener accepts until a while after the node is ready.
    let readySince: number | undefined;
    await waitFor(
      "node 3 to answer the truth after becoming ready",
      async () => {
        const ready = (await c.readiness(3))?.status === 200;
        const topics = await askMetadata(port, asked);
        if (topics) answers.push({ at: Date.now(), ready, topics });
        if (ready) readySince ??= Date.now();
        return readySince !== undefined && Date.now() - readySince > 500 && topics !== undefined;
      },
      { timeoutMs: 30_000, intervalMs: 5 },
    );
    const retriable = new Set<number>([ErrorCode.LEADER_NOT_AVAILABLE]);
    for (const a of answers) {
      const doomed = a.topics.get("doomed")!;
      const born = a.topics.get("born")!;
      // The deleted topic is never offered with a partition to use; the new one is never unknown.
      expect(
        doomed.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || retriable.has(doomed.errorCode),
      ).toBe(true);
      expect(born.errorCode === 0 || retriable.has(born.errorCode)).toBe(true);
      expect(a.topics.get("kept")!.errorCode === 0 || retriable.has(a.topics.get("kept")!.errorCode)).toBe(
        true,
      );
    }
    const last = answers.at(-1)!;
    expect(last.topics.get("doomed")!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(last.topics.get("born")!.errorCode).toBe(0);
    expect(last.topics.get("born")!.leaders.every((l) => l > 0)).toBe(true);
    // The node was asked before it was current, and held those requests rather than answer them.
    expect(answers[0].ready).toBe(false);
    expect(c.log(3)).toMatch(/holding Kafka requests until this node's metadata is current/);
    console.log(
      `asked node 3 ${answers.length} times, ${answers.filter((a) => !a.ready).length} before it was ready`,
    );
  });
});

describe("auto-create with a node down", () => {
  test("waits for the configured replication factor instead of creating a weaker topic", async () => {
    const c = new TestCluster({ nodes: 3, ...ports });
    cluster = c;
    await c.startAll();
    await c.kill(3);
    // Until its session lapses node 3 still counts as live (as in Kafka); then it is fenced.
    await waitFor(
      "node 3 fenced",
      async () =>
        (await c.adminJson<{ nodes: { id: number; state: string }[] }>(1, "/cluster/health")).body.nodes.find(
          (n) => n.id === 3,
        )?.state === "fenced",
      { timeoutMs: 20_000 },
    );
    const port = c.node(1).kafkaPort;
    // Two live brokers, default replication factor 3: every answer is the retriable LEADER_NOT_AVAILABLE.
    for (let i = 0; i < 5; i++) {
      const answer = await askMetadata(port, ["auto-rf3"], true);
      expect(answer?.get("auto-rf3")?.errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
    }
    const listed = await askMetadata(port, ["auto-rf3"], false);
    expect(listed?.get("auto-rf3")?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    c.start(3);
    await c.waitReady(3);
    const created = await waitFor("auto-create once three brokers are live", async () => {
      const a = (await askMetadata(port, ["auto-rf3"], true))?.get("auto-rf3");
      return a?.errorCode === 0 && a.leaders.every((l) => l > 0) ? a : undefined;
    });
    expect(created.replicas.every((r) => r.length === 3)).toBe(true);
  });
});
