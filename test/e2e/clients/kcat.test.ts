import { describe, expect, test } from "vitest";
import { waitFor } from "../../support/poll.ts";
import { createTopic, leadersKnown } from "./support/admin.ts";
import { useCluster } from "./support/cluster.ts";
import { runCoordinatorFailover } from "./support/failover-scenario.ts";
import { runGroupScenario } from "./support/group-scenario.ts";
import { kcatClient, kcatProduce } from "./support/kcat.ts";
import { pyRead } from "./support/python.ts";
import { checkDelivery, messages } from "./support/records.ts";

// kcat 1.7.1 (librdkafka 2.0.2) as real processes: `-P` from stdin, `-G` balanced consumers.
// kcat has no admin commands, so kafkajs creates the topic.
const env = useCluster(30492, 30581);

describe("kcat", () => {
  test("10,000 keyed acks=all messages; three `kcat -G` members read each once in order; a restarted member resumes at the commits", async () => {
    const { bootstrap, logs } = env();
    const topic = "kcat-orders";
    await createTopic(bootstrap, topic, 3, 3);
    await waitFor("3 partition leaders", async () => (await leadersKnown(bootstrap, topic)) === 3);
    await runGroupScenario(kcatClient(bootstrap, topic, "kcat-group"), {
      bootstrap,
      topic,
      group: "kcat-group",
      logs,
    });
  });

  // Every codec librdkafka has, read back by confluent-kafka-python (a different client on the
  // same library; the other codec tests cross libraries where the readers support the codec).
  test.each(["gzip", "snappy", "lz4", "zstd"])(
    "%s batches from kcat are read by confluent-kafka-python",
    async (codec) => {
      const { bootstrap } = env();
      const topic = `kcat-${codec}`;
      await createTopic(bootstrap, topic, 3, 3);
      const sent = messages(codec, 0, 500);
      await kcatProduce(bootstrap, topic, sent, codec);
      const read = await pyRead("confluent", bootstrap, topic, sent.length);
      expect(read.errors).toEqual([]);
      expect(checkDelivery(read.records, sent).problems).toEqual([]);
    },
  );

  // Last in the file: it kills a node (and restarts it).
  test("committed offsets survive a SIGKILL of the group coordinator; a new `kcat -G` member resumes at them", async () => {
    const { cluster, bootstrap, logs } = env();
    const topic = "kcat-failover";
    await createTopic(bootstrap, topic, 3, 3);
    const client = kcatClient(bootstrap, topic, "kcat-failover-group");
    await runCoordinatorFailover({ cluster, topic, group: "kcat-failover-group", client, logs });
  });
});
