import { ConfigSource } from "../../meta/config-resolver.ts";
import { validateTopicName } from "../../meta/topics.ts";
import type { BrokerContext, ConfigEntry } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { DescribeConfigsResource } from "../protocol/generated/describe-configs-request.ts";
import type {
  DescribeConfigsResourceResult,
  DescribeConfigsResponse,
  DescribeConfigsResult,
} from "../protocol/generated/describe-configs-response.ts";
import { brokerResourceError, ResourceType } from "./config-resources.ts";

interface Asked {
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

// v0 has no configSource, only isDefault: false means set at the resource's own level (on the topic,
// or in the broker's static config), as v0 clients read it.
function configResult(e: ConfigEntry, ownSource: number, asked: Asked): DescribeConfigsResourceResult {
  return {
    name: e.name,
    value: e.isSensitive ? null : e.value,
    readOnly: e.readOnly,
    isDefault: e.source !== ownSource,
    configSource: e.source,
    isSensitive: e.isSensitive,
    synonyms: asked.includeSynonyms
      ? e.synonyms.map((s) => ({ ...s, value: e.isSensitive ? null : s.value }))
      : [],
    configType: e.type,
    documentation: asked.includeDocumentation ? e.documentation : null,
  };
}

function describeResource(
  ctx: BrokerContext,
  r: DescribeConfigsResource,
  asked: Asked,
): DescribeConfigsResult {
  const fail = (errorCode: number, errorMessage: string): DescribeConfigsResult => ({
    errorCode,
    errorMessage,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: [],
  });
  let entries: ConfigEntry[];
  let ownSource: number;
  if (r.resourceType === ResourceType.TOPIC) {
    const illegal = validateTopicName(r.resourceName);
    if (illegal) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, illegal.message);
    const found = ctx.topicConfigs(r.resourceName);
    if (!found) {
      // The node waited for its image to catch up and it has not: it cannot say the topic is unknown.
      if (!ctx.metadata.current())
        return fail(ErrorCode.REQUEST_TIMED_OUT, "this broker's metadata is not current; retry");
      return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no topic ${r.resourceName}`);
    }
    entries = found;
    ownSource = ConfigSource.TOPIC_CONFIG;
  } else if (r.resourceType === ResourceType.BROKER) {
    // An empty name asks for the cluster-wide defaults: chronik's are each node's static config.
    const refused = brokerResourceError(ctx.nodeId, r.resourceName);
    if (refused) return fail(ErrorCode.INVALID_REQUEST, refused);
    entries = ctx.brokerConfigs();
    ownSource = ConfigSource.STATIC_BROKER_CONFIG;
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
      .map((e) => configResult(e, ownSource, asked)),
  };
}

// DescribeConfigs v0-4 for topics and this broker. v0 carries isDefault, v1+ configSource and (when
// asked) synonyms, v3+ configType and (when asked) documentation; the codec writes only the fields of
// the request's version.
export function createDescribeConfigsHandler(ctx: BrokerContext): Handler<32> {
  return (req, rctx) => {
    const asked = {
      includeSynonyms: rctx.apiVersion >= 1 && req.includeSynonyms,
      includeDocumentation: rctx.apiVersion >= 3 && req.includeDocumentation,
    };
    const res: DescribeConfigsResponse = {
      throttleTimeMs: 0,
      results: req.resources.map((r) => describeResource(ctx, r, asked)),
    };
    return res;
  };
}
