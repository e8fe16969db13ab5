import { afterEach, describe, expect, test } from "vitest";
import { TestCluster } from "../../support/cluster.ts";
import { checkAcknowledged, checkOrderAndUniqueness } from "./checks.ts";
import type { ProducerProcess } from "./clients.ts";
import { describeRun, fastBroker, runKillRounds, saveEvidence } from "./scenario.ts";

// The same failover as acks-all.test.ts with librdkafka's idempotent producer: besides keeping every
// acknowledged message, the log holds each message once and in the order it was produced, because
// the new leader rebuilt the producer's sequence state from committed entries.

let cluster: TestCluster | undefined;
let producer: ProducerProcess | undefined;
afterEach(async () => {
  producer?.kill();
  producer = undefined;
  await cluster?.stopAll();
  cluster = undefined;
});

describe("failover under load with an idempotent producer", () => {
  test("acknowledged messages survive, exactly once and in order, across SIGKILLs of the leader", async () => {
    const c = new TestCluster({ nodes: 3, kafkaBase: 24092, httpBase: 24181, extra: fastBroker });
    cluster = c;
    await c.startAll();
    const run = await runKillRounds(
      c,
      { topic: "failover-idempotent", partitions: 3, idempotent: true, rounds: 3 },
      (p) => {
        producer = p;
      },
    );
    const acked = checkAcknowledged(run.producer.acks, run.contents);
    const order = checkOrderAndUniqueness(run.contents);
    console.log(`${describeRun("idempotent", run)}; files in ${c.dir}`);
    const bad =
      acked.missing.length + acked.misplaced.length + order.duplicates.length + order.reordered.length > 0;
    if (bad)
      console.log(
        `evidence: ${saveEvidence(c, "idempotent", { ...run, acked, order })}; node logs in ${c.dir}`,
      );

    for (const f of run.failovers) {
      expect(f.newLeader).not.toBe(f.killed);
      expect(f.firstAckMs).toBeDefined();
    }
    expect(acked.missing.slice(0, 20)).toEqual([]);
    expect(acked.misplaced.slice(0, 20)).toEqual([]);
    expect(order.duplicates.slice(0, 20)).toEqual([]);
    expect(order.reordered.slice(0, 20)).toEqual([]);
    // Connection errors to the killed node are expected; failed deliveries and fatal errors are not.
    expect(run.producer.failures.filter((f) => f.ev === "nack" || f.fatal)).toEqual([]);
  });
});
