import { describe, expect, it } from "vitest";
import { createDescribeConfigsHandler } from "../../../data-node/src/kafka/handlers/describe-configs.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type {
  DescribeConfigsRequest,
  DescribeConfigsResource,
} from "../../../data-node/src/kafka/protocol/generated/describe-configs-request.ts";
import type { DescribeConfigsResponse } from "../../../data-node/src/kafka/protocol/generated/describe-configs-response.ts";
import { type FakeContext, fakeContext, rctx, roundTrip, versions } from "./fakes.ts";

const TOPIC = 2;
const BROKER = 4;

function setup(): FakeContext {
  const ctx = fakeContext();
  ctx.configs.set("t", [
    { name: "cleanup.policy", value: "delete", readOnly: false, isDefault: true, isSensitive: false },
    { name: "retention.ms", value: "1000", readOnly: false, isDefault: false, isSensitive: false },
  ]);
  return ctx;
}

async function describeConfigs(
  ctx: FakeContext,
  resources: DescribeConfigsResource[],
  version = 2,
  includeSynonyms = false,
) {
  const req: DescribeConfigsRequest = { resources, includeSynonyms, includeDocumentation: false };
  return (await createDescribeConfigsHandler(ctx)(req, rctx(version))) as DescribeConfigsResponse;
}

describe("DescribeConfigs handler", () => {
  it("describes a topic with sources: set on the topic 1, defaults 5", async () => {
    const res = await describeConfigs(setup(), [
      { resourceType: TOPIC, resourceName: "t", configurationKeys: null },
    ]);
    expect(res.results[0]).toMatchObject({
      errorCode: 0,
      errorMessage: null,
      resourceType: TOPIC,
      resourceName: "t",
    });
    expect(res.results[0].configs).toEqual([
      {
        name: "cleanup.policy",
        value: "delete",
        readOnly: false,
        isDefault: true,
        configSource: 5,
        isSensitive: false,
        synonyms: [],
        configType: 0,
        documentation: null,
      },
      {
        name: "retention.ms",
        value: "1000",
        readOnly: false,
        isDefault: false,
        configSource: 1,
        isSensitive: false,
        synonyms: [],
        configType: 0,
        documentation: null,
      },
    ]);
  });

  it("filters by configuration keys and lists synonyms only when asked (v1+)", async () => {
    const ctx = setup();
    const keys = { resourceType: TOPIC, resourceName: "t", configurationKeys: ["retention.ms", "not.a.key"] };
    const res = await describeConfigs(ctx, [keys], 1, true);
    expect(res.results[0].configs.map((c) => c.name)).toEqual(["retention.ms"]);
    expect(res.results[0].configs[0].synonyms).toEqual([{ name: "retention.ms", value: "1000", source: 1 }]);
    const v0 = await describeConfigs(ctx, [keys], 0, true);
    expect(v0.results[0].configs[0].synonyms).toEqual([]);
  });

  it("describes this broker (by id or the empty default name) as static config, hiding sensitive values", async () => {
    const ctx = setup();
    const res = await describeConfigs(ctx, [
      { resourceType: BROKER, resourceName: "1", configurationKeys: null },
      { resourceType: BROKER, resourceName: "", configurationKeys: ["broker.id"] },
    ]);
    expect(res.results[0].configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
      ["broker.id", "1", 4],
      ["num.partitions", "3", 4],
      ["ssl.key.password", null, 4],
    ]);
    expect(res.results[1].configs.map((c) => c.name)).toEqual(["broker.id"]);
  });

  it("answers unknown topics with 3, other brokers and resource types with INVALID_REQUEST", async () => {
    const res = await describeConfigs(setup(), [
      { resourceType: TOPIC, resourceName: "nope", configurationKeys: null },
      { resourceType: BROKER, resourceName: "2", configurationKeys: null },
      { resourceType: 8, resourceName: "1", configurationKeys: null },
    ]);
    expect(res.results.map((r) => [r.resourceType, r.resourceName, r.errorCode, r.configs])).toEqual([
      [TOPIC, "nope", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []],
      [BROKER, "2", ErrorCode.INVALID_REQUEST, []],
      [8, "1", ErrorCode.INVALID_REQUEST, []],
    ]);
    for (const r of res.results) expect(r.errorMessage).toBeTruthy();
  });

  it("every supported version encodes the response it builds (isDefault in v0, configSource from v1)", async () => {
    for (const v of versions(32)) {
      const res = await describeConfigs(
        setup(),
        [{ resourceType: TOPIC, resourceName: "t", configurationKeys: null }],
        v,
        true,
      );
      const back = roundTrip(32, res, v);
      const [dflt, set] = back.results[0].configs;
      expect([dflt.name, set.name]).toEqual(["cleanup.policy", "retention.ms"]);
      if (v === 0) expect([dflt.isDefault, set.isDefault]).toEqual([true, false]);
      else expect([dflt.configSource, set.configSource]).toEqual([5, 1]);
    }
  });
});
