import "../../support/node20-shim.ts";
import { Connection, fetchV4, fetchV12 } from "@platformatic/kafka";
import { ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiVersionsHandler } from "../../../data-node/src/kafka/handlers/api-versions.ts";
import { createDataHandlers } from "../../../data-node/src/kafka/handlers/data-handlers.ts";
import { createMetadataHandler } from "../../../data-node/src/kafka/handlers/metadata.ts";
import { type HandlerTable, KafkaServer } from "../../../data-node/src/kafka/server.ts";
import { silentLogger } from "../../../shared/log.ts";
import { buildTestBatch } from "../../support/batches.ts";
import { type FakeContext, fakeContext } from "./fakes.ts";

// Real clients against the handlers over a real listener (ephemeral port), with in-memory partitions:
// proves what the handlers fill is what kafkajs and @platformatic/kafka parse and expect.

let server: KafkaServer;
let port = 0;
let ctx: FakeContext;

beforeAll(async () => {
  ctx = fakeContext({ brokers: 1, defaultPartitions: 2, port: () => port, createLocal: true });
  let srv: KafkaServer | undefined;
  const handlers: HandlerTable = {
    ...createDataHandlers(ctx),
    3: createMetadataHandler(ctx.metadata),
    18: createApiVersionsHandler(() => srv?.versions ?? []),
  };
  srv = new KafkaServer({ host: "127.0.0.1", port: 0, logger: silentLogger, handlers });
  server = srv;
  port = (await server.start()).port;
});

afterAll(async () => {
  await server?.stop();
});

const kafka = () =>
  new Kafka({
    clientId: "handlers-test",
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
  });

describe("data handlers with real clients", () => {
  it("kafkajs: create topic, idempotent produce, offsets, configs, partitions, delete", async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({
          topics: [{ topic: "orders", configEntries: [{ name: "retention.ms", value: "1000" }] }],
        }),
      ).toBe(true);
      expect(ctx.partitions.has("orders-1")).toBe(true);

      const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const sent = await producer.send({
        topic: "orders",
        acks: -1,
        messages: [
          { partition: 0, key: "a", value: "one" },
          { partition: 0, key: "b", value: "two" },
          { partition: 1, key: "c", value: "three" },
        ],
      });
      await producer.disconnect();
      expect(sent.map((r) => [r.partition, r.errorCode, r.baseOffset]).sort()).toEqual([
        [0, 0, "0"],
        [1, 0, "0"],
      ]);
      expect(ctx.nextProducerId).toBe(1001);

      const offsets = await admin.fetchTopicOffsets("orders");
      expect(
        offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, o.low, o.high]),
      ).toEqual([
        [0, "0", "2"],
        [1, "0", "1"],
      ]);

      const described = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: "orders", configNames: ["retention.ms"] }],
        includeSynonyms: false,
      });
      expect(described.resources[0].configEntries).toMatchObject([
        { configName: "retention.ms", configValue: "1000", isDefault: false },
      ]);

      await admin.createPartitions({ topicPartitions: [{ topic: "orders", count: 3 }] });
      expect(ctx.partitionRequests[0].reqs).toEqual([{ name: "orders", count: 3 }]);

      await admin.deleteTopics({ topics: ["orders"] });
      expect(ctx.deleted).toEqual([["orders"]]);
    } finally {
      await admin.disconnect();
    }
  });

  it("@platformatic/kafka: raw Fetch v4 and v12 parse the records and offsets", async () => {
    await ctx.createTopics([{ name: "events", numPartitions: 1, replicationFactor: 1, configs: {} }], false);
    const events = ctx.partitions.get("events-0");
    if (!events) throw new Error("events-0 missing");
    events.append(buildTestBatch(["k1", "k2"], ["v1", "v2"]));
    events.append(buildTestBatch(["k3"], ["v3"]));

    const conn = new Connection("handlers-test");
    await conn.connect("127.0.0.1", port);
    try {
      const topics = [
        {
          topicId: "events",
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0n,
              lastFetchedEpoch: -1,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ];
      for (const api of [fetchV4.api, fetchV12.api]) {
        const res = await api.async(conn, 100, 1, 1 << 20, 0, 0, -1, topics, [], "");
        const part = res.responses[0].partitions[0];
        expect(part).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 3n });
        const values = (part.records ?? []).flatMap((b) => b.records.map((r) => String(r.value)));
        expect(values).toEqual(["v1", "v2", "v3"]);
      }
    } finally {
      await conn.close();
    }
  });
});
