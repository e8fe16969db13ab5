import { afterEach, describe, expect, test } from "vitest";
import { TestCluster } from "../../support/cluster.ts";
import { checkAcknowledged } from "./checks.ts";
import type { ProducerProcess } from "./clients.ts";
import { describeRun, fastBroker, runKillRounds, saveEvidence } from "./scenario.ts";

// A librdkafka producer (acks=all, no idempotence) runs against three real node processes while the
// leader of partition 0 is SIGKILLed and restarted, several times. Duplicates are allowed; losing
// an acknowledged message is not.

let cluster: TestCluster | undefined;
let producer: ProducerProcess | undefined;
afterEach(async () => {
  producer?.kill();
  producer = undefined;
  await cluster?.stopAll();
  cluster = undefined;
});

describe("failover under load with acks=all", () => {
  test("every acknowledged message survives SIGKILLs of the partition leader", async () => {
    const c = new TestCluster({ nodes: 3, kafkaBase: 23092, httpBase: 23181, extra: fastBroker });
    cluster = c;
    await c.startAll();
    const run = await runKillRounds(
      c,
      { topic: "failover-acks-all", partitions: 3, idempotent: false, rounds: 3 },
      (p) => {
        producer = p;
      },
    );
    const check = checkAcknowledged(run.producer.acks, run.contents);
    console.log(`${describeRun("acks=all", run)}; files in ${c.dir}`);
    if (check.missing.length > 0 || check.misplaced.length > 0)
      console.log(`evidence: ${saveEvidence(c, "acks-all", { ...run, check })}; node logs in ${c.dir}`);

    for (const f of run.failovers) {
      expect(f.newLeader).not.toBe(f.killed);
      expect(f.firstAckMs).toBeDefined();
    }
    expect(check.missing.slice(0, 20)).toEqual([]);
    expect(check.misplaced.slice(0, 20)).toEqual([]);
    expect(run.producer.failures.filter((f) => f.fatal)).toEqual([]);
  });
});
