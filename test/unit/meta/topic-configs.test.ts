import { describe, expect, it } from "vitest";
import { BROKER_CONFIGS } from "../../../data-node/src/meta/broker-config-catalogue.ts";
import { ConfigResolver } from "../../../data-node/src/meta/config-resolver.ts";
import { parseValue } from "../../../data-node/src/meta/config-values.ts";
import { TOPIC_CONFIGS } from "../../../data-node/src/meta/topic-config-catalogue.ts";
import {
  type AlterTopicConfigs,
  planAlterTopicConfigs,
} from "../../../data-node/src/meta/topic-config-changes.ts";
import {
  checkTopicConfig,
  validateTopicConfigs,
} from "../../../data-node/src/meta/topic-config-validation.ts";
import { planCreateTopic } from "../../../data-node/src/meta/topics.ts";
import { testNodeConfig } from "../../support/node-config.ts";
import { clusterOf } from "./fixtures.ts";

describe("topic config catalogue", () => {
  it("is consistent: defaults pass their own rules, synonyms are described broker configs with parsable defaults", () => {
    for (const d of TOPIC_CONFIGS.values()) {
      expect(checkTopicConfig(d.name, d.default), d.name).toEqual({ canonical: d.default });
      for (const s of d.synonyms) expect(BROKER_CONFIGS.has(s), `${d.name} -> ${s}`).toBe(true);
    }
    for (const b of BROKER_CONFIGS.values()) {
      if (b.kafkaDefault !== null) expect(parseValue(b.type, b.kafkaDefault), b.name).toBeDefined();
    }
  });

  it("refuses unknown names and bad values with INVALID_CONFIG naming the key, the value and what is allowed", () => {
    expect(checkTopicConfig("no.such.key", "1")).toEqual({
      error: "INVALID_CONFIG",
      message: 'Unknown topic config name: no.such.key (value "1")',
    });
    const cases: [string, string, RegExp][] = [
      ["cleanup.policy", "bogus", /"bogus".*cleanup\.policy.*compact, delete/],
      ["cleanup.policy", "Compact", /cleanup\.policy/],
      ["retention.ms", "-2", /retention\.ms.*at least -1/],
      ["retention.ms", "1h", /"1h".*retention\.ms.*must be a long/],
      ["segment.bytes", "1000", /segment\.bytes.*at least 1048576/],
      ["segment.bytes", "2147483648", /must be an int/],
      ["min.cleanable.dirty.ratio", "1.5", /between 0 and 1/],
      ["compression.type", "brotli", /one of uncompressed, zstd, lz4, snappy, gzip, producer/],
      ["compression.gzip.level", "0", /between -1 and -1, or between 1 and 9/],
      ["message.timestamp.type", "Now", /CreateTime, LogAppendTime/],
      ["preallocate", "yes", /must be a boolean/],
      ["remote.storage.enable", "true", /no tiered storage/],
      ["leader.replication.throttled.replicas", "0:1,x", /partition:broker/],
    ];
    for (const [name, value, message] of cases) {
      const r = checkTopicConfig(name, value);
      expect(r, `${name}=${value}`).toMatchObject({ error: "INVALID_CONFIG", message });
    }
  });

  it("stores canonical text: trimmed numbers, lower-case booleans, lists without spaces", () => {
    expect(
      validateTopicConfigs({
        "retention.ms": " 1000 ",
        preallocate: "TRUE",
        "cleanup.policy": "compact , delete",
        "max.compaction.lag.ms": "9223372036854775807",
        "leader.replication.throttled.replicas": "*",
      }),
    ).toEqual({
      configs: {
        "retention.ms": "1000",
        preallocate: "true",
        "cleanup.policy": "compact,delete",
        "max.compaction.lag.ms": "9223372036854775807",
        "leader.replication.throttled.replicas": "*",
      },
    });
  });

  it("refuses min.compaction.lag.ms above max.compaction.lag.ms, counting configs already on the topic", () => {
    expect(
      validateTopicConfigs({ "min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5" }),
    ).toMatchObject({
      error: "INVALID_CONFIG",
      message: /min\.compaction\.lag\.ms \(10\).*max\.compaction\.lag\.ms \(5\)/,
    });
    expect(
      validateTopicConfigs({ "min.compaction.lag.ms": "10" }, { "max.compaction.lag.ms": "5" }),
    ).toMatchObject({
      error: "INVALID_CONFIG",
    });
    expect(validateTopicConfigs({ "min.compaction.lag.ms": "10" })).toEqual({
      configs: { "min.compaction.lag.ms": "10" },
    });
  });
});

describe("CreateTopics config validation", () => {
  it("refuses a bad config, stores valid ones canonically, and still creates a compacted internal topic", () => {
    const b = clusterOf(1);
    const plan = (name: string, configs: Record<string, string>) =>
      planCreateTopic(b.image, { name, partitions: 1, replicationFactor: 1, configs, topicId: `id-${name}` });
    expect(plan("bad", { "cleanup.policy": "bogus" })).toMatchObject({
      error: "INVALID_CONFIG",
      message: /cleanup\.policy/,
    });
    expect(plan("good", { "segment.ms": " 500 " })).toMatchObject({
      record: { configs: { "segment.ms": "500" } },
    });
    expect(plan("__consumer_offsets", { "cleanup.policy": "compact" })).toMatchObject({
      record: { internal: true, configs: { "cleanup.policy": "compact" } },
    });
  });
});

describe("planAlterTopicConfigs", () => {
  function withTopic(configs: Record<string, string>) {
    const b = clusterOf(1);
    b.apply({
      type: "create_topic",
      name: "t",
      topicId: "id-t",
      internal: false,
      partitions: [{ partition: 0, replicas: [1], leader: 1, leaderEpoch: 0, isr: [1] }],
      configs,
    });
    return b;
  }
  const req = (
    mode: AlterTopicConfigs["mode"],
    changes: AlterTopicConfigs["changes"],
  ): AlterTopicConfigs => ({
    topic: "t",
    mode,
    changes,
    validateOnly: false,
  });
  const set = (name: string, value: string) => ({ name, op: "set" as const, value });

  it("replace (AlterConfigs) makes the given configs the whole override set", () => {
    const b = withTopic({ "retention.ms": "1000", "segment.ms": "500" });
    const plan = planAlterTopicConfigs(b.image, req("replace", [set("retention.ms", "2000")]));
    expect(plan).toEqual({
      record: {
        type: "topic_config",
        topic: "t",
        topicId: "id-t",
        set: { "retention.ms": "2000" },
        delete: ["segment.ms"],
      },
    });
    if (!("record" in plan) || !plan.record) throw new Error("no record");
    expect(b.apply(plan.record)[0].ok).toBe(true);
    expect(b.image.topic("t")?.configs).toEqual({ "retention.ms": "2000" });
  });

  it("incremental SET, DELETE, APPEND and SUBTRACT change only the named configs", () => {
    const b = withTopic({ "retention.ms": "1000", "segment.ms": "500" });
    const plan = planAlterTopicConfigs(
      b.image,
      req("incremental", [
        { name: "segment.ms", op: "delete", value: null },
        { name: "cleanup.policy", op: "append", value: "compact" },
        set("max.message.bytes", "6000000"),
      ]),
    );
    // APPEND to an unset list starts from its default (delete).
    expect(plan).toMatchObject({
      record: {
        set: { "cleanup.policy": "delete,compact", "max.message.bytes": "6000000" },
        delete: ["segment.ms"],
      },
    });
    if (!("record" in plan) || !plan.record) throw new Error("no record");
    b.apply(plan.record);
    const subtract = planAlterTopicConfigs(
      b.image,
      req("incremental", [{ name: "cleanup.policy", op: "subtract", value: "delete" }]),
    );
    expect(subtract).toMatchObject({ record: { set: { "cleanup.policy": "compact" }, delete: [] } });
    if (!("record" in subtract) || !subtract.record) throw new Error("no record");
    b.apply(subtract.record);
    // Values already in the list are not added twice.
    const again = planAlterTopicConfigs(
      b.image,
      req("incremental", [{ name: "cleanup.policy", op: "append", value: "delete,compact" }]),
    );
    expect(again).toMatchObject({ record: { set: { "cleanup.policy": "compact,delete" } } });
  });

  it("APPEND and SUBTRACT only on list configs; null values and bad values refused; unknown topic after validation", () => {
    const b = withTopic({});
    expect(
      planAlterTopicConfigs(
        b.image,
        req("incremental", [{ name: "retention.ms", op: "append", value: "5" }]),
      ),
    ).toMatchObject({ error: "INVALID_CONFIG", message: /APPEND retention\.ms/ });
    expect(
      planAlterTopicConfigs(b.image, req("incremental", [{ name: "retention.ms", op: "set", value: null }])),
    ).toMatchObject({ error: "INVALID_REQUEST" });
    expect(planAlterTopicConfigs(b.image, req("replace", [set("no.such.key", "1")]))).toMatchObject({
      error: "INVALID_CONFIG",
      message: /no\.such\.key/,
    });
    const other = { ...req("incremental", [set("retention.ms", "5")]), topic: "nope" };
    expect(planAlterTopicConfigs(b.image, other)).toMatchObject({ error: "UNKNOWN_TOPIC_OR_PARTITION" });
    expect(planAlterTopicConfigs(b.image, { ...other, changes: [set("retention.ms", "x")] })).toMatchObject({
      error: "INVALID_CONFIG",
    });
  });

  it("plans nothing when nothing changes, and a planned change does not touch a re-created topic", () => {
    const b = withTopic({ "retention.ms": "1000" });
    expect(planAlterTopicConfigs(b.image, req("incremental", [set("retention.ms", " 1000")]))).toEqual({
      record: null,
    });
    const plan = planAlterTopicConfigs(b.image, req("incremental", [set("retention.ms", "2000")]));
    if (!("record" in plan) || !plan.record) throw new Error("no record");
    b.apply({ type: "delete_topic", name: "t", topicId: "id-t" });
    b.apply({
      type: "create_topic",
      name: "t",
      topicId: "id-t2",
      internal: false,
      partitions: [{ partition: 0, replicas: [1], leader: 1, leaderEpoch: 0, isr: [1] }],
      configs: {},
    });
    expect(b.apply(plan.record)[0]).toMatchObject({ ok: false, error: "UNKNOWN_TOPIC_ID" });
    expect(b.image.topic("t")?.configs).toEqual({});
  });
});

describe("ConfigResolver", () => {
  const resolver = new ConfigResolver(
    testNodeConfig({ storage: { segment_bytes: 2 * 1048576 }, topic_defaults: { retention_ms: 3600000 } }),
  );

  it("resolves every topic config: overrides, then the node config, then Kafka's default; invalid stored overrides fall back", () => {
    const effective = resolver.effectiveTopicConfigs({ "segment.ms": "500", "retention.bytes": "lots" });
    expect(Object.keys(effective).sort()).toEqual([...TOPIC_CONFIGS.keys()].sort());
    expect(effective).toMatchObject({
      "segment.ms": "500",
      "segment.bytes": "2097152",
      "retention.ms": "3600000",
      "retention.bytes": "-1",
      "max.message.bytes": "1048588",
      "cleanup.policy": "delete",
      "delete.retention.ms": "86400000",
    });
  });

  it("describes broker configs read-only, with Kafka's synonyms from the config asked about down", () => {
    const broker = new Map(resolver.describeBroker().map((e) => [e.name, e]));
    expect(broker.get("log.retention.ms")).toMatchObject({
      value: "3600000",
      readOnly: true,
      source: 4,
      synonyms: [
        { name: "log.retention.ms", value: "3600000", source: 4 },
        { name: "log.retention.hours", value: "168", source: 5 },
      ],
    });
    expect(broker.get("log.retention.hours")).toMatchObject({
      value: "168",
      source: 5,
      synonyms: [{ name: "log.retention.hours", value: "168", source: 5 }],
    });
    expect(broker.get("log.retention.minutes")).toMatchObject({ value: null, source: 5, synonyms: [] });
    expect(broker.get("message.max.bytes")).toMatchObject({ value: "1048588", source: 4, type: 3 });
  });
});
