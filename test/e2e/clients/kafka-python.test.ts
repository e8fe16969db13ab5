import { describe, expect, test } from "vitest";
import { waitFor } from "../../support/poll.ts";
import { leadersKnown } from "./support/admin.ts";
import { useCluster } from "./support/cluster.ts";
import { runCoordinatorFailover } from "./support/failover-scenario.ts";
import { runGroupScenario } from "./support/group-scenario.ts";
import { kafkajsRead } from "./support/kafkajs.ts";
import { kcatProduce } from "./support/kcat.ts";
import { pyCreateTopic, pyProduce, pyRead, pythonClient } from "./support/python.ts";
import { checkDelivery, messages } from "./support/records.ts";

// kafka-python 2.0.2 (Debian), in python subprocesses. It has gzip built in; snappy, lz4 and zstd
// need python modules this machine does not have, so those codecs are covered by other clients.
const env = useCluster(30892, 30981);

describe("kafka-python", () => {
  test("KafkaAdminClient creates a topic; 10,000 keyed acks=all messages; a 3-member group reads each once in order; a restarted member resumes at the commits", async () => {
    const { bootstrap, logs } = env();
    const topic = "kp-orders";
    await pyCreateTopic("kafka-python", bootstrap, topic);
    await waitFor("3 partition leaders", async () => (await leadersKnown(bootstrap, topic)) === 3);
    await runGroupScenario(pythonClient("kafka-python", bootstrap, topic, "kp-group"), {
      bootstrap,
      topic,
      group: "kp-group",
      logs,
    });
  });

  test("gzip batches from kafka-python are read by kafkajs; gzip batches from librdkafka (kcat) are read by kafka-python", async () => {
    const { bootstrap } = env();
    const out = "kp-gzip-out";
    const into = "kp-gzip-in";
    await pyCreateTopic("kafka-python", bootstrap, out);
    await pyCreateTopic("kafka-python", bootstrap, into);
    const sent = messages("g", 0, 500);

    const placements = await pyProduce("kafka-python", bootstrap, out, sent, "gzip");
    const byKafkajs = await kafkajsRead(bootstrap, out, sent.length, "kp-gzip-reader");
    expect(checkDelivery(byKafkajs, sent, { placements }).problems).toEqual([]);

    await kcatProduce(bootstrap, into, sent, "gzip");
    const byPython = await pyRead("kafka-python", bootstrap, into, sent.length);
    expect(byPython.errors).toEqual([]);
    expect(checkDelivery(byPython.records, sent).problems).toEqual([]);
  });

  // Last in the file: it kills a node (and restarts it).
  test("committed offsets survive a SIGKILL of the group coordinator; a new member resumes at them", async () => {
    const { cluster, bootstrap, logs } = env();
    const topic = "kp-failover";
    await pyCreateTopic("kafka-python", bootstrap, topic);
    const client = pythonClient("kafka-python", bootstrap, topic, "kp-failover-group");
    await runCoordinatorFailover({ cluster, topic, group: "kp-failover-group", client, logs });
  });
});
