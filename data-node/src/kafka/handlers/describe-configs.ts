import type { BrokerContext, ConfigEntry } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { DescribeConfigsResource } from "../protocol/generated/describe-configs-request.ts";
import type {
  DescribeConfigsResourceResult,
  DescribeConfigsResponse,
  DescribeConfigsResult,
} from "../protocol/generated/describe-configs-response.ts";

export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

// Kafka's DescribeConfigsResponse.ConfigSource.
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export function topicConfigSource(e: ConfigEntry): number {
  return e.isDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.DYNAMIC_TOPIC_CONFIG;
}

function brokerConfigSource(e: ConfigEntry): number {
  return e.isDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
}

function configResult(
  e: ConfigEntry,
  source: number,
  includeSynonyms: boolean,
): DescribeConfigsResourceResult {
  // Sensitive values never leave the broker.
  const value = e.isSensitive ? null : e.value;
  return {
    name: e.name,
    value,
    readOnly: e.readOnly,
    isDefault: e.isDefault,
    configSource: source,
    isSensitive: e.isSensitive,
    // The only synonym we know of is the entry itself, at the level its value comes from.
    synonyms: includeSynonyms ? [{ name: e.name, value, source }] : [],
    // v3+ (not advertised yet): the type and documentation of each config.
    configType: 0,
    documentation: null,
  };
}

function describeResource(
  ctx: BrokerContext,
  r: DescribeConfigsResource,
  includeSynonyms: boolean,
): DescribeConfigsResult {
  const fail = (errorCode: number, errorMessage: string): DescribeConfigsResult => ({
    errorCode,
    errorMessage,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: [],
  });
  let entries: ConfigEntry[];
  let sourceOf: (e: ConfigEntry) => number;
  if (r.resourceType === ResourceType.TOPIC) {
    const found = ctx.topicConfigs(r.resourceName);
    if (!found) {
      // The node waited for its image to catch up and it has not: it cannot say the topic is unknown.
      if (!ctx.metadata.current())
        return fail(ErrorCode.REQUEST_TIMED_OUT, "this broker's metadata is not current; retry");
      return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no topic ${r.resourceName}`);
    }
    entries = found;
    sourceOf = topicConfigSource;
  } else if (r.resourceType === ResourceType.BROKER) {
    // An empty name asks for the cluster-wide defaults, which here are this broker's static config.
    if (r.resourceName !== "" && r.resourceName !== String(ctx.nodeId)) {
      return fail(
        ErrorCode.INVALID_REQUEST,
        `unexpected broker id, expected ${ctx.nodeId} but received ${r.resourceName}`,
      );
    }
    entries = ctx.brokerConfigs();
    sourceOf = brokerConfigSource;
  } else {
    return fail(ErrorCode.INVALID_REQUEST, `unsupported resource type ${r.resourceType}`);
  }
  const keys = r.configurationKeys === null ? null : new Set(r.configurationKeys);
  return {
    errorCode: 0,
    errorMessage: null,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: entries
      .filter((e) => keys === null || keys.has(e.name))
      .map((e) => configResult(e, sourceOf(e), includeSynonyms)),
  };
}

// DescribeConfigs v0-2 for topics and this broker. v0 carries isDefault, v1+ configSource and
// (when asked) synonyms; the codec writes only the fields of the request's version.
export function createDescribeConfigsHandler(ctx: BrokerContext): Handler<32> {
  return (req, rctx) => {
    const includeSynonyms = rctx.apiVersion >= 1 && req.includeSynonyms;
    const res: DescribeConfigsResponse = {
      throttleTimeMs: 0,
      results: req.resources.map((r) => describeResource(ctx, r, includeSynonyms)),
    };
    return res;
  };
}
