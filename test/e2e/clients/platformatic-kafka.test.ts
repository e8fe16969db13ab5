import { describe, expect, test } from "vitest";
import { waitFor } from "../../support/poll.ts";
import { leadersKnown } from "./support/admin.ts";
import { useCluster } from "./support/cluster.ts";
import { runCoordinatorFailover } from "./support/failover-scenario.ts";
import { runGroupScenario } from "./support/group-scenario.ts";
import { kcatProduce } from "./support/kcat.ts";
import {
  platformaticClient,
  platformaticCreateTopic,
  platformaticProduce,
  platformaticRead,
} from "./support/platformatic.ts";
import { pyRead } from "./support/python.ts";
import { checkDelivery, messages } from "./support/records.ts";

// @platformatic/kafka 2.x against three real data nodes (with a Promise.withResolvers shim on Node 20).
const env = useCluster(30292, 30381);

describe("@platformatic/kafka", () => {
  test("Admin creates a topic; 10,000 keyed acks=all messages; a 3-member group reads each once in order; a restarted member resumes at the commits", async () => {
    const { bootstrap, logs } = env();
    const topic = "plt-orders";
    await platformaticCreateTopic(bootstrap, topic);
    await waitFor("3 partition leaders", async () => (await leadersKnown(bootstrap, topic)) === 3);
    await runGroupScenario(platformaticClient(bootstrap, topic, "plt-group"), {
      bootstrap,
      topic,
      group: "plt-group",
      logs,
    });
  });

  // zstd is absent: @platformatic/kafka takes it from node:zlib, which has no zstd on Node 20.
  test.each(["gzip", "snappy", "lz4"] as const)(
    "%s batches from @platformatic/kafka are read by confluent-kafka-python; from librdkafka (kcat), by @platformatic/kafka",
    async (codec) => {
      const { bootstrap } = env();
      const out = `plt-${codec}-out`;
      const into = `plt-${codec}-in`;
      await platformaticCreateTopic(bootstrap, out);
      await platformaticCreateTopic(bootstrap, into);
      const sent = messages(codec, 0, 500);

      const placements = await platformaticProduce(bootstrap, out, sent, codec);
      const byLibrdkafka = await pyRead("confluent", bootstrap, out, sent.length);
      expect(byLibrdkafka.errors).toEqual([]);
      expect(checkDelivery(byLibrdkafka.records, sent, { placements }).problems).toEqual([]);

      await kcatProduce(bootstrap, into, sent, codec);
      const byPlatformatic = await platformaticRead(bootstrap, into, sent.length, `plt-${codec}-reader`);
      expect(checkDelivery(byPlatformatic, sent).problems).toEqual([]);
    },
  );

  // Last in the file: it kills a node (and restarts it).
  test("committed offsets survive a SIGKILL of the group coordinator; a new member resumes at them", async () => {
    const { cluster, bootstrap, logs } = env();
    const topic = "plt-failover";
    await platformaticCreateTopic(bootstrap, topic);
    const client = platformaticClient(bootstrap, topic, "plt-failover-group");
    await runCoordinatorFailover({ cluster, topic, group: "plt-failover-group", client, logs });
  });
});
