import { Kafka, logLevel } from "kafkajs";
import { afterEach, describe, expect, test } from "vitest";
import { TestCluster } from "../../support/cluster.ts";
import { createTopic, readPartitions, waitForLeaders } from "./clients.ts";
import { brokersOf, fastBroker } from "./scenario.ts";

// An idempotent producer retries a batch whose first attempt timed out (the leader had lost both
// followers, so it could not commit). The retry matches the batch still pending in the leader's
// log; acknowledging it then, before a majority has it, loses an acknowledged message once the
// leader dies and the followers elect a new one.

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

const topic = "failover-pending-duplicate";

describe("idempotent retry of an uncommitted batch", () => {
  test("is not acknowledged before a majority has it", async () => {
    const c = new TestCluster({ nodes: 3, kafkaBase: 23092, httpBase: 23181, extra: fastBroker });
    cluster = c;
    await c.startAll();
    await createTopic(brokersOf(c), topic, 1);
    const leader = (await waitForLeaders(brokersOf(c), topic, 1)).get(0)!;
    const followers = c.nodes.map((n) => n.id).filter((id) => id !== leader);

    // Short produce timeout, quick retries: the retry reaches the leader before CheckQuorum makes
    // it step down (at least one election timeout, 1 s).
    const kafka = new Kafka({
      clientId: "pending-duplicate",
      brokers: [`127.0.0.1:${c.node(leader).kafkaPort}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 200 },
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: "1" }] });
      await Promise.all(followers.map((f) => c.kill(f)));
      const outcome = await producer
        .send({ topic, acks: -1, timeout: 300, messages: [{ partition: 0, value: "2" }] })
        .then(
          (r) => ({ acked: true, detail: JSON.stringify(r) }),
          (e: Error) => ({ acked: false, detail: e.message }),
        );
      console.log(`send with both followers down: ${JSON.stringify(outcome)}`);

      // The leader dies; the followers come back and elect a leader between them.
      await c.kill(leader);
      for (const f of followers) c.start(f);
      await Promise.all(followers.map((f) => c.waitReady(f)));
      const survivors = brokersOf(c, [leader]);
      await waitForLeaders(survivors, topic, 1, [leader]);
      const contents = await readPartitions(survivors.join(","), topic, 1);
      const ids = contents.records["0"].map(([, id]) => id);
      console.log(`partition after failover: ${JSON.stringify(contents.records["0"])}; files in ${c.dir}`);
      expect(ids).toContain(1);
      if (outcome.acked) expect(ids).toContain(2);
      // Nothing could commit with both followers down, so nothing may have been acknowledged; the
      // refusal is a timeout or NOT_LEADER, never an unexpected server error.
      expect(outcome.acked).toBe(false);
      expect(outcome.detail).not.toMatch(/unexpected error/);
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  });
});
