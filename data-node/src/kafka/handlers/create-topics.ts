import type { BrokerContext, TopicToCreate } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { CreateTopicsRequestCreatableTopic } from "../protocol/generated/create-topics-request.ts";
import type {
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicConfigs,
  CreateTopicsResponseCreatableTopicResult,
} from "../protocol/generated/create-topics-response.ts";
import { ZERO_UUID } from "../protocol/uuid.ts";
import { outcomesByName } from "./admin-outcomes.ts";

type Rejection = { errorCode: number; errorMessage: string | null };

// The request-shape checks Kafka makes before the controller sees a topic; names, existence and
// replica placement are the controller's (ctx.createTopics) to judge.
function rejection(t: CreateTopicsRequestCreatableTopic, duplicated: boolean): Rejection | undefined {
  if (duplicated) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `topic ${t.name} appears more than once in the request`,
    };
  }
  if (t.assignments.length > 0 && (t.numPartitions !== -1 || t.replicationFactor !== -1)) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: "a replica assignment comes with numPartitions and replicationFactor -1",
    };
  }
  if (t.numPartitions === 0 || t.numPartitions < -1) {
    return {
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: "Number of partitions must be larger than 0, or -1 to use the default value.",
    };
  }
  if (t.replicationFactor === 0 || t.replicationFactor < -1) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: "Replication factor must be larger than 0, or -1 to use the default value.",
    };
  }
  const nullValued = t.configs.find((c) => c.value === null);
  if (nullValued) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Null value not supported for topic configs: ${nullValued.name}`,
    };
  }
  return undefined;
}

function toCreate(t: CreateTopicsRequestCreatableTopic): TopicToCreate {
  const configs: Record<string, string> = {};
  for (const c of t.configs) configs[c.name] = c.value ?? "";
  const assignments = t.assignments.map((a) => ({
    partitionIndex: a.partitionIndex,
    brokerIds: a.brokerIds,
  }));
  return {
    name: t.name,
    numPartitions: t.numPartitions,
    replicationFactor: t.replicationFactor,
    configs,
    ...(assignments.length > 0 ? { assignments } : {}),
  };
}

// v5+ answers with every config of the resulting topic: as stored once created, as it would be for a
// validate-only request.
function resultConfigs(
  ctx: BrokerContext,
  t: TopicToCreate,
  validateOnly: boolean,
): CreateTopicsResponseCreatableTopicConfigs[] {
  const entries = (!validateOnly && ctx.topicConfigs(t.name)) || ctx.describeTopicConfigs(t.configs);
  return entries.map((e) => ({
    name: e.name,
    value: e.isSensitive ? null : e.value,
    readOnly: e.readOnly,
    configSource: e.source,
    isSensitive: e.isSensitive,
  }));
}

function failed(name: string, r: Rejection): CreateTopicsResponseCreatableTopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  };
}

// CreateTopics v0-7 through the __meta leader (ctx.createTopics); -1 partitions or replication
// factor means the broker's default, which ctx fills in.
export function createCreateTopicsHandler(ctx: BrokerContext): Handler<19> {
  return async (req) => {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const rejected = new Map<string, Rejection>();
    const accepted: TopicToCreate[] = [];
    for (const t of req.topics) {
      if (rejected.has(t.name)) continue;
      const r = rejection(t, (counts.get(t.name) ?? 0) > 1);
      if (r) rejected.set(t.name, r);
      else accepted.push(toCreate(t));
    }
    const outcomes = await outcomesByName(
      accepted.map((t) => t.name),
      () => ctx.createTopics(accepted, req.validateOnly),
    );
    const topics: CreateTopicsResponseCreatableTopicResult[] = [];
    for (const name of counts.keys()) {
      const r = rejected.get(name);
      if (r) {
        topics.push(failed(name, r));
        continue;
      }
      const o = outcomes.get(name);
      if (!o) {
        topics.push(
          failed(name, {
            errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
            errorMessage: "no outcome for the topic",
          }),
        );
        continue;
      }
      if (o.errorCode !== 0) {
        topics.push(failed(name, { errorCode: o.errorCode, errorMessage: o.errorMessage ?? null }));
        continue;
      }
      const asked = accepted.find((t) => t.name === name) as TopicToCreate;
      topics.push({
        name,
        topicId: o.topicId ?? ZERO_UUID,
        errorCode: 0,
        errorMessage: null,
        numPartitions: o.numPartitions ?? asked.numPartitions,
        replicationFactor: o.replicationFactor ?? asked.replicationFactor,
        configs: resultConfigs(ctx, asked, req.validateOnly),
      });
    }
    const res: CreateTopicsResponse = { throttleTimeMs: 0, topics };
    return res;
  };
}
