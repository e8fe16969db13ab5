import "../support/node20-shim.ts";
import { join } from "node:path";
import {
  Admin,
  ConfigResourceTypes,
  type GenericError,
  IncrementalAlterConfigOperationTypes,
  type MultipleErrors,
} from "@platformatic/kafka";
import { ConfigResourceTypes as JsResourceTypes, Kafka, type Admin as KafkajsAdmin, logLevel } from "kafkajs";
import { describe, expect, test } from "vitest";
import { withAdmin } from "../support/kafka-admin.ts";
import { waitFor } from "../support/poll.ts";
import { useCluster } from "./clients/support/cluster.ts";
import { pyScript } from "./clients/support/python.ts";
import { describeTopicOn, segmentFiles } from "./topic-configs/observe.ts";

// Topic configs through real admin clients: confluent-kafka-python 1.7.0 (librdkafka 2.0.2; it has
// create_topics, describe_configs and alter_configs, no incremental_alter_configs), kafkajs
// (describeConfigs, alterConfigs) and @platformatic/kafka (incrementalAlterConfigs).
const env = useCluster(31092, 31181);

const [TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG] = [1, 4, 5];

type PyError = { code: number; name: string; message: string };
type PyDescribed = {
  configs?: Record<
    string,
    { value: string; source: number; read_only: boolean; synonyms: [string, string, number][] }
  >;
  error?: PyError;
};

const script = join(import.meta.dirname, "topic-configs/config_admin.py");
const cfk = <T>(cmd: string, ...args: string[]) =>
  pyScript<T>(script, [cmd, "--bootstrap", env().bootstrap, ...args]);
const configArgs = (configs: Record<string, string>) =>
  Object.entries(configs).flatMap(([k, v]) => ["--config", `${k}=${v}`]);

const kafka = () =>
  new Kafka({
    clientId: "e2e-topic-configs",
    brokers: env().bootstrap.split(","),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  });

const entries = (configs: Record<string, string>) =>
  Object.entries(configs).map(([name, value]) => ({ name, value }));

// One partition on each of the three nodes.
const createTopic = (admin: KafkajsAdmin, topic: string, configs: Record<string, string> = {}) =>
  admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: entries(configs) }],
  });

// kafkajs's AlterConfigs: these configs become the resource's whole override set.
const alter = (admin: KafkajsAdmin, type: JsResourceTypes, name: string, configs: Record<string, string>) =>
  admin.alterConfigs({ validateOnly: false, resources: [{ type, name, configEntries: entries(configs) }] });

// kafkajs wraps a broker's error in retry errors; the innermost one carries Kafka's error type.
function kafkaErrorType(err: unknown): string | undefined {
  let e = err as { type?: string; cause?: unknown } | undefined;
  while (e?.cause && !e.type) e = e.cause as typeof e;
  return e?.type;
}

describe("topic configs", () => {
  test("confluent-kafka-python: create with configs, describe with sources, alter replaces the overrides, bad values named", async () => {
    const topic = "cfg-cfk";
    expect(
      await cfk(
        "create",
        "--topic",
        topic,
        ...configArgs({ "cleanup.policy": "compact", "retention.ms": " 3600000" }),
      ),
    ).toEqual({
      created: topic,
    });
    const described = await cfk<PyDescribed>("describe", "--topic", topic);
    expect(described.configs?.["cleanup.policy"]).toMatchObject({ value: "compact", source: TOPIC_CONFIG });
    expect(described.configs?.["retention.ms"]).toMatchObject({ value: "3600000", source: TOPIC_CONFIG });
    expect(described.configs?.["segment.bytes"]).toMatchObject({
      value: "134217728",
      source: STATIC_BROKER_CONFIG,
    });
    expect(described.configs?.["max.message.bytes"]).toMatchObject({
      value: "1048588",
      source: STATIC_BROKER_CONFIG,
    });
    expect(described.configs?.["delete.retention.ms"]).toMatchObject({
      value: "86400000",
      source: DEFAULT_CONFIG,
    });

    // AlterConfigs replaces the whole override set: cleanup.policy goes back to its default.
    expect(await cfk("alter", "--topic", topic, ...configArgs({ "retention.ms": "7200000" }))).toEqual({
      altered: topic,
    });
    const after = await cfk<PyDescribed>("describe", "--topic", topic);
    expect(after.configs?.["retention.ms"]).toMatchObject({
      value: "7200000",
      source: TOPIC_CONFIG,
      synonyms: [
        ["retention.ms", "7200000", TOPIC_CONFIG],
        ["log.retention.ms", "604800000", STATIC_BROKER_CONFIG],
        ["log.retention.hours", "168", DEFAULT_CONFIG],
      ],
    });
    expect(after.configs?.["cleanup.policy"]).toMatchObject({ value: "delete", source: DEFAULT_CONFIG });

    const refused: [string, Record<string, string>, RegExp][] = [
      ["create", { "cleanup.policy": "bogus" }, /cleanup\.policy.*compact, delete/],
      ["create", { "no.such.key": "1" }, /no\.such\.key/],
      ["alter", { "segment.bytes": "1000" }, /"1000".*segment\.bytes.*at least 1048576/],
    ];
    for (const [cmd, configs, message] of refused) {
      const target = cmd === "create" ? "cfg-cfk-bad" : topic;
      const r = await cfk<{ error?: PyError }>(cmd, "--topic", target, ...configArgs(configs));
      expect(r.error, `${cmd} ${JSON.stringify(configs)}`).toMatchObject({ code: 40, message });
    }
    const validateOnly = await cfk<{ error?: PyError }>(
      "create",
      "--topic",
      "cfg-cfk-bad",
      "--validate-only",
      ...configArgs({ "retention.ms": "-5" }),
    );
    expect(validateOnly.error).toMatchObject({ code: 40, message: /retention\.ms/ });
    expect((await cfk<PyDescribed>("describe", "--topic", "cfg-cfk-bad")).error).toMatchObject({ code: 3 });
    expect((await cfk<PyDescribed>("describe", "--topic", topic)).configs?.["segment.bytes"]?.value).toBe(
      "134217728",
    );

    const broker = await cfk<PyDescribed>("describe", "--broker", "1");
    expect(broker.configs?.["message.max.bytes"]).toMatchObject({
      value: "1048588",
      source: STATIC_BROKER_CONFIG,
      read_only: true,
    });
  });

  test("kafkajs: describeConfigs and alterConfigs round trip; a bad value and a broker change are refused", async () => {
    const topic = "cfg-kafkajs";
    await withAdmin(env().bootstrap.split(","), "e2e-kafkajs-configs", async (admin) => {
      await createTopic(admin, topic, { "segment.ms": "60000" });
      const describe = async () => {
        const res = await admin.describeConfigs({
          resources: [
            { type: JsResourceTypes.TOPIC, name: topic, configNames: ["segment.ms", "retention.bytes"] },
          ],
          includeSynonyms: true,
        });
        return new Map(res.resources[0].configEntries.map((e) => [e.configName, e]));
      };
      expect((await describe()).get("segment.ms")).toMatchObject({
        configValue: "60000",
        configSource: TOPIC_CONFIG,
        isDefault: false,
      });
      await alter(admin, JsResourceTypes.TOPIC, topic, { "retention.bytes": "5000000" });
      const after = await describe();
      expect(after.get("retention.bytes")).toMatchObject({
        configValue: "5000000",
        configSource: TOPIC_CONFIG,
      });
      // Back to the node's storage.segment_ms, reported as Kafka reports a server.properties value.
      expect(after.get("segment.ms")).toMatchObject({
        configValue: "604800000",
        configSource: STATIC_BROKER_CONFIG,
        configSynonyms: [
          { configName: "log.roll.ms", configValue: "604800000", configSource: STATIC_BROKER_CONFIG },
          { configName: "log.roll.hours", configValue: "168", configSource: DEFAULT_CONFIG },
        ],
      });

      const bad = alter(admin, JsResourceTypes.TOPIC, topic, { "min.insync.replicas": "0" });
      await expect(bad.catch(kafkaErrorType)).resolves.toBe("INVALID_CONFIG");
      const brokerChange = alter(admin, JsResourceTypes.BROKER, "1", { "log.retention.ms": "1" });
      await expect(brokerChange.catch(kafkaErrorType)).resolves.toBe("INVALID_REQUEST");
      expect((await describe()).get("retention.bytes")?.configValue).toBe("5000000");
    });
  });

  test("@platformatic/kafka incrementalAlterConfigs: SET, APPEND, SUBTRACT, DELETE; APPEND to a non-list refused", async () => {
    const topic = "cfg-incremental";
    const admin = new Admin({
      clientId: "e2e-platformatic-configs",
      bootstrapBrokers: env().bootstrap.split(","),
    });
    try {
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 3 });
      const alter = (
        configs: Parameters<Admin["incrementalAlterConfigs"]>[0]["resources"][number]["configs"],
      ) =>
        admin.incrementalAlterConfigs({
          resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs }],
        });
      const values = async () => {
        const [d] = await admin.describeConfigs({
          resources: [
            {
              resourceType: ConfigResourceTypes.TOPIC,
              resourceName: topic,
              configurationKeys: ["cleanup.policy", "retention.ms"],
            },
          ],
        });
        return Object.fromEntries(d.configs.map((c) => [c.name, [c.value, c.configSource]]));
      };
      const { SET, DELETE, APPEND, SUBTRACT } = IncrementalAlterConfigOperationTypes;
      await alter([
        { name: "retention.ms", configOperation: SET, value: "90000" },
        { name: "cleanup.policy", configOperation: APPEND, value: "compact" },
      ]);
      expect(await values()).toEqual({
        "cleanup.policy": ["delete,compact", TOPIC_CONFIG],
        "retention.ms": ["90000", TOPIC_CONFIG],
      });
      await alter([
        { name: "cleanup.policy", configOperation: SUBTRACT, value: "delete" },
        { name: "retention.ms", configOperation: DELETE },
      ]);
      expect(await values()).toEqual({
        "cleanup.policy": ["compact", TOPIC_CONFIG],
        "retention.ms": ["604800000", STATIC_BROKER_CONFIG],
      });
      const wrong = await alter([{ name: "retention.ms", configOperation: APPEND, value: "5" }]).then(
        () => null,
        (e: MultipleErrors) => e.findBy<GenericError>("apiId", "INVALID_CONFIG"),
      );
      expect(wrong).toMatchObject({
        apiCode: 40,
        serverErrorMessage: expect.stringMatching(/APPEND retention\.ms/),
      });
      expect(await values()).toMatchObject({ "cleanup.policy": ["compact", TOPIC_CONFIG] });
    } finally {
      await admin.close();
    }
  });

  test("a segment.bytes change reaches every node's DescribeConfigs and every replica's open log at once", async () => {
    const { cluster } = env();
    const topic = "cfg-roll";
    const producer = kafka().producer({ allowAutoTopicCreation: false });
    const value = Buffer.alloc(100 * 1024, 7);
    // 2.5 MiB in 100 KiB records, one request each: a batch stays below max.message.bytes.
    const write = async (batch: string) => {
      for (let i = 0; i < 25; i++)
        await producer.send({ topic, acks: -1, messages: [{ key: `${batch}-${i}`, value }] });
    };
    await withAdmin(cluster.bootstrap.split(","), "e2e-roll-admin", async (admin) => {
      await createTopic(admin, topic);
      await producer.connect();
      try {
        await write("before");
        await waitFor("every replica to hold the first writes", () =>
          cluster.nodes.every((n) => segmentFiles(n, topic, 0).length === 1),
        );
        await alter(admin, JsResourceTypes.TOPIC, topic, { "segment.bytes": "1048576" });
        for (const n of cluster.nodes) {
          await waitFor(`node ${n.id} to describe segment.bytes 1048576`, async () => {
            const d = (await describeTopicOn(n, topic, ["segment.bytes"])).get("segment.bytes");
            return d?.value === "1048576" && d.source === TOPIC_CONFIG;
          });
        }
        await write("after");
        // 2.5 MiB more at 1 MiB per segment: the open segment rolls at least twice on every replica.
        await waitFor("every replica to roll segments by the new segment.bytes", () =>
          cluster.nodes.every((n) => segmentFiles(n, topic, 0).length >= 3),
        );
      } finally {
        await producer.disconnect();
      }
    });
  });

  test("max.message.bytes: a 7 MB record to a topic limited to 6,000,000 bytes is refused with MESSAGE_TOO_LARGE; 5 MB fits", async () => {
    const topic = "cfg-max-message";
    await withAdmin(env().bootstrap.split(","), "e2e-max-message-admin", async (admin) => {
      await createTopic(admin, topic, { "max.message.bytes": "6000000" });
    });
    const producer = kafka().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const send = (bytes: number) =>
        producer.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(bytes, 1) }] });
      await expect(send(7_000_000).catch(kafkaErrorType)).resolves.toBe("MESSAGE_TOO_LARGE");
      // Above the broker default (1,048,588) but within the topic's own limit.
      const [fits] = await send(5_000_000);
      expect(fits.errorCode).toBe(0);
      const [small] = await send(1000);
      expect(small).toMatchObject({ errorCode: 0, baseOffset: String(Number(fits.baseOffset) + 1) });
    } finally {
      await producer.disconnect();
    }
  });
});
