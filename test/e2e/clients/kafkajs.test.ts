import { CompressionTypes } from "kafkajs";
import { describe, expect, test } from "vitest";
import { waitFor } from "../../support/poll.ts";
import { createTopic, leadersKnown } from "./support/admin.ts";
import { useCluster } from "./support/cluster.ts";
import { runCoordinatorFailover } from "./support/failover-scenario.ts";
import { runGroupScenario } from "./support/group-scenario.ts";
import { kafkajsClient, kafkajsCodecError, kafkajsProduce, kafkajsRead } from "./support/kafkajs.ts";
import { kcatProduce } from "./support/kcat.ts";
import { pyRead } from "./support/python.ts";
import { checkDelivery, messages } from "./support/records.ts";

// kafkajs 2.2.4 against three real data nodes.
const env = useCluster(30092, 30181);

describe("kafkajs", () => {
  test("admin creates a topic; 10,000 keyed acks=all messages; a 3-member group reads each once in order; a restarted member resumes at the commits", async () => {
    const { bootstrap, logs } = env();
    const topic = "kafkajs-orders";
    await createTopic(bootstrap, topic, 3, 3);
    await waitFor("3 partition leaders", async () => (await leadersKnown(bootstrap, topic)) === 3);
    await runGroupScenario(kafkajsClient(bootstrap, topic, "kafkajs-group"), {
      bootstrap,
      topic,
      group: "kafkajs-group",
      logs,
    });
  });

  test("gzip batches from kafkajs are read by kafka-python; gzip batches from librdkafka (kcat) are read by kafkajs", async () => {
    const { bootstrap } = env();
    const out = "kafkajs-gzip-out";
    const into = "kafkajs-gzip-in";
    await createTopic(bootstrap, out, 3, 3);
    await createTopic(bootstrap, into, 3, 3);
    const sent = messages("z", 0, 500);

    await kafkajsProduce(bootstrap, out, sent, CompressionTypes.GZIP);
    const byPython = await pyRead("kafka-python", bootstrap, out, sent.length);
    expect(byPython.errors).toEqual([]);
    expect(checkDelivery(byPython.records, sent).problems).toEqual([]);

    await kcatProduce(bootstrap, into, sent, "gzip");
    const byKafkajs = await kafkajsRead(bootstrap, into, sent.length, "kafkajs-gzip-reader");
    expect(checkDelivery(byKafkajs, sent).problems).toEqual([]);
  });

  // kafkajs has no snappy, lz4 or zstd codec installed. That it names the codec it lacks shows the
  // broker served librdkafka's compressed batches as they were sent, not re-encoded.
  test.each([
    ["snappy", /Snappy compression not implemented/],
    ["lz4", /LZ4 compression not implemented/],
    ["zstd", /ZSTD compression not implemented/],
  ])("%s batches from librdkafka (kcat) reach kafkajs still compressed", async (codec, expected) => {
    const { bootstrap } = env();
    const topic = `kafkajs-${codec}-in`;
    await createTopic(bootstrap, topic, 3, 3);
    await kcatProduce(bootstrap, topic, messages(codec, 0, 50), codec);
    expect(await kafkajsCodecError(bootstrap, topic, `kafkajs-${codec}-reader`)).toMatch(expected);
  });

  // Last in the file: it kills a node (and restarts it).
  test("committed offsets survive a SIGKILL of the group coordinator; a new member resumes at them", async () => {
    const { cluster, bootstrap, logs } = env();
    const topic = "kafkajs-failover";
    await createTopic(bootstrap, topic, 3, 3);
    const client = kafkajsClient(bootstrap, topic, "kafkajs-failover-group");
    await runCoordinatorFailover({ cluster, topic, group: "kafkajs-failover-group", client, logs });
  });
});
