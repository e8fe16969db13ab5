import { describe, expect, test } from "vitest";
import { waitFor } from "../../support/poll.ts";
import { leadersKnown } from "./support/admin.ts";
import { useCluster } from "./support/cluster.ts";
import { runCoordinatorFailover } from "./support/failover-scenario.ts";
import { runGroupScenario } from "./support/group-scenario.ts";
import { kcatRead } from "./support/kcat.ts";
import { pyCreateTopic, pyProduce, pyRead, pythonClient } from "./support/python.ts";
import { checkDelivery, messages } from "./support/records.ts";

// confluent-kafka-python 1.7.0 on librdkafka 2.0.2 (Debian), in python subprocesses.
const env = useCluster(30692, 30781);

describe("confluent-kafka-python", () => {
  test("AdminClient creates a topic; 10,000 keyed acks=all messages; a 3-member group reads each once in order; a restarted member resumes at the commits", async () => {
    const { bootstrap, logs } = env();
    const topic = "cfk-orders";
    await pyCreateTopic("confluent", bootstrap, topic);
    await waitFor("3 partition leaders", async () => (await leadersKnown(bootstrap, topic)) === 3);
    await runGroupScenario(pythonClient("confluent", bootstrap, topic, "cfk-group"), {
      bootstrap,
      topic,
      group: "cfk-group",
      logs,
    });
  });

  // The broker stores batches as sent; another client must be able to decompress them.
  test.each(["gzip", "snappy", "lz4", "zstd"])(
    "%s batches from librdkafka are read back by kcat",
    async (codec) => {
      const { bootstrap } = env();
      const topic = `cfk-${codec}`;
      await pyCreateTopic("confluent", bootstrap, topic);
      const sent = messages(codec, 0, 500);
      const placements = await pyProduce("confluent", bootstrap, topic, sent, codec);
      expect(placements.size).toBe(sent.length);
      const read = await kcatRead(bootstrap, topic, sent.length);
      expect(checkDelivery(read, sent, { placements }).problems).toEqual([]);
    },
  );

  test("gzip batches from librdkafka are read by kafka-python", async () => {
    const { bootstrap } = env();
    const topic = "cfk-gzip-kafka-python";
    await pyCreateTopic("confluent", bootstrap, topic);
    const sent = messages("g", 0, 500);
    const placements = await pyProduce("confluent", bootstrap, topic, sent, "gzip");
    const read = await pyRead("kafka-python", bootstrap, topic, sent.length);
    expect(read.errors).toEqual([]);
    expect(checkDelivery(read.records, sent, { placements }).problems).toEqual([]);
  });

  // Last in the file: it kills a node (and restarts it).
  test("committed offsets survive a SIGKILL of the group coordinator; a new member resumes at them", async () => {
    const { cluster, bootstrap, logs } = env();
    const topic = "cfk-failover";
    await pyCreateTopic("confluent", bootstrap, topic);
    const client = pythonClient("confluent", bootstrap, topic, "cfk-failover-group");
    await runCoordinatorFailover({ cluster, topic, group: "cfk-failover-group", client, logs });
  });
});
