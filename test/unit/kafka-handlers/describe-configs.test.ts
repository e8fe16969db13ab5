import { describe, expect, it } from "vitest";
import { createDescribeConfigsHandler } from "../../../data-node/src/kafka/handlers/describe-configs.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type {
  DescribeConfigsRequest,
  DescribeConfigsResource,
} from "../../../data-node/src/kafka/protocol/generated/describe-configs-request.ts";
import type { DescribeConfigsResponse } from "../../../data-node/src/kafka/protocol/generated/describe-configs-response.ts";
import { TOPIC_CONFIGS } from "../../../data-node/src/meta/topic-config-catalogue.ts";
import { addTopic, type FakeContext, fakeContext, rctx, roundTrip, versions } from "./fakes.ts";

const TOPIC = 2;
const BROKER = 4;
const [TOPIC_CONFIG, STATIC, DEFAULT] = [1, 4, 5];

function setup(): FakeContext {
  const ctx = fakeContext();
  addTopic(ctx, "t", 1);
  ctx.topicOverrides.set("t", { "retention.ms": "1000" });
  return ctx;
}

async function describeConfigs(
  ctx: FakeContext,
  resources: DescribeConfigsResource[],
  { version = 4, includeSynonyms = false, includeDocumentation = false } = {},
) {
  const req: DescribeConfigsRequest = { resources, includeSynonyms, includeDocumentation };
  return (await createDescribeConfigsHandler(ctx)(req, rctx(version))) as DescribeConfigsResponse;
}

const topicT = (configurationKeys: string[] | null = null) => ({
  resourceType: TOPIC,
  resourceName: "t",
  configurationKeys,
});

describe("DescribeConfigs handler", () => {
  it("describes every topic config: set on the topic (1), from the node config (4), Kafka's default (5)", async () => {
    const res = await describeConfigs(setup(), [topicT()], { includeSynonyms: true });
    const r = res.results[0];
    expect(r).toMatchObject({ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: "t" });
    expect(r.configs.map((c) => c.name)).toEqual([...TOPIC_CONFIGS.keys()].sort());
    const byName = new Map(r.configs.map((c) => [c.name, c]));
    expect(byName.get("retention.ms")).toMatchObject({
      value: "1000",
      configSource: TOPIC_CONFIG,
      isDefault: false,
      readOnly: false,
      configType: 5,
      synonyms: [
        { name: "retention.ms", value: "1000", source: TOPIC_CONFIG },
        { name: "log.retention.ms", value: "604800000", source: STATIC },
        { name: "log.retention.hours", value: "168", source: DEFAULT },
      ],
    });
    expect(byName.get("segment.bytes")).toMatchObject({
      value: "134217728",
      configSource: STATIC,
      isDefault: true,
      synonyms: [
        { name: "log.segment.bytes", value: "134217728", source: STATIC },
        { name: "log.segment.bytes", value: "1073741824", source: DEFAULT },
      ],
    });
    expect(byName.get("cleanup.policy")).toMatchObject({
      value: "delete",
      configSource: DEFAULT,
      configType: 7,
      synonyms: [{ name: "log.cleanup.policy", value: "delete", source: DEFAULT }],
    });
    // Kafka 4.0's default; chronik keeps its node's message.max.bytes at Kafka's default too.
    expect(byName.get("max.message.bytes")).toMatchObject({ value: "1048588", configSource: STATIC });
    expect(byName.get("remote.storage.enable")).toMatchObject({
      value: "false",
      configSource: DEFAULT,
      synonyms: [],
    });
  });

  it("filters by configuration keys; synonyms only when asked (v1+); documentation only when asked (v3+)", async () => {
    const ctx = setup();
    const keys = topicT(["retention.ms", "not.a.key"]);
    const plain = await describeConfigs(ctx, [keys], { version: 1 });
    expect(plain.results[0].configs.map((c) => [c.name, c.synonyms, c.documentation])).toEqual([
      ["retention.ms", [], null],
    ]);
    const v0 = await describeConfigs(ctx, [keys], { version: 0, includeSynonyms: true });
    expect(v0.results[0].configs[0].synonyms).toEqual([]);
    const v2 = await describeConfigs(ctx, [keys], { version: 2, includeDocumentation: true });
    expect(v2.results[0].configs[0].documentation).toBeNull();
    const v3 = await describeConfigs(ctx, [keys], { version: 3, includeDocumentation: true });
    expect(v3.results[0].configs[0].documentation).toMatch(/newest record/);
  });

  it("describes this broker (by id or the empty name) as static, read-only config, hiding sensitive values", async () => {
    const res = await describeConfigs(
      setup(),
      [
        { resourceType: BROKER, resourceName: "1", configurationKeys: null },
        { resourceType: BROKER, resourceName: "", configurationKeys: ["broker.id"] },
      ],
      { includeSynonyms: true },
    );
    expect(
      res.results[0].configs.map((c) => [c.name, c.value, c.configSource, c.readOnly, c.isDefault]),
    ).toEqual([
      ["broker.id", "1", STATIC, true, false],
      ["num.partitions", "3", STATIC, true, false],
      ["ssl.key.password", null, STATIC, true, false],
    ]);
    expect(res.results[0].configs[2].synonyms).toEqual([
      { name: "ssl.key.password", value: null, source: STATIC },
    ]);
    expect(res.results[1].configs.map((c) => c.name)).toEqual(["broker.id"]);
  });

  it("answers unknown topics 3, illegal names 17, other brokers and resource types INVALID_REQUEST", async () => {
    const res = await describeConfigs(setup(), [
      { resourceType: TOPIC, resourceName: "nope", configurationKeys: null },
      { resourceType: TOPIC, resourceName: "bad name!", configurationKeys: null },
      { resourceType: BROKER, resourceName: "2", configurationKeys: null },
      { resourceType: BROKER, resourceName: "one", configurationKeys: null },
      { resourceType: 8, resourceName: "1", configurationKeys: null },
    ]);
    expect(res.results.map((r) => [r.resourceName, r.errorCode, r.configs])).toEqual([
      ["nope", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []],
      ["bad name!", ErrorCode.INVALID_TOPIC_EXCEPTION, []],
      ["2", ErrorCode.INVALID_REQUEST, []],
      ["one", ErrorCode.INVALID_REQUEST, []],
      ["1", ErrorCode.INVALID_REQUEST, []],
    ]);
    expect(res.results[3].errorMessage).toMatch(/must be an integer/);
  });

  it("answers REQUEST_TIMED_OUT, not unknown topic, while this node's image is not current", async () => {
    const ctx = setup();
    ctx.imageCurrent = false;
    const res = await describeConfigs(ctx, [
      { resourceType: TOPIC, resourceName: "nope", configurationKeys: null },
    ]);
    expect(res.results[0].errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
  });

  it("every version encodes the response it builds: isDefault in v0, configSource from v1, type and documentation from v3", async () => {
    for (const v of versions(32)) {
      const res = await describeConfigs(setup(), [topicT(["cleanup.policy", "retention.ms"])], {
        version: v,
        includeSynonyms: true,
        includeDocumentation: true,
      });
      const back = roundTrip(32, res, v);
      const [dflt, set] = back.results[0].configs;
      expect([dflt.name, set.name]).toEqual(["cleanup.policy", "retention.ms"]);
      if (v === 0) expect([dflt.isDefault, set.isDefault]).toEqual([true, false]);
      else expect([dflt.configSource, set.configSource]).toEqual([DEFAULT, TOPIC_CONFIG]);
      if (v >= 3) {
        expect([dflt.configType, set.configType]).toEqual([7, 5]);
        expect(dflt.documentation).toMatch(/compact/);
      }
    }
  });
});
