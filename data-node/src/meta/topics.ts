import { type AssignmentError, assignReplicas } from "./assignment.ts";
import type { MetaImage } from "./image.ts";
import { type ManualAssignmentError, manualAssignment, type ReplicaAssignment } from "./manual-assignment.ts";
import type { CreatePartitions, CreateTopic, DeleteTopic } from "./records.ts";
import { type ConfigError, validateTopicConfigs } from "./topic-config-validation.ts";

// Controller duties for topic admin requests: validate against the image, assign replicas, and return
// the record to propose (or the Kafka error to answer with).

export type TopicPlanError = {
  error:
    | AssignmentError["error"]
    | ManualAssignmentError["error"]
    | ConfigError["error"]
    | "TOPIC_ALREADY_EXISTS"
    | "INVALID_TOPIC_EXCEPTION"
    | "UNKNOWN_TOPIC_OR_PARTITION";
  message: string;
};

// Kafka's topic name rule.
const LEGAL_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function validateTopicName(name: string): TopicPlanError | undefined {
  if (!LEGAL_NAME.test(name) || name === "." || name === "..") {
    return { error: "INVALID_TOPIC_EXCEPTION", message: `illegal topic name "${name}"` };
  }
  return undefined;
}

export function planCreateTopic(
  image: MetaImage,
  req: {
    name: string;
    partitions: number;
    replicationFactor: number;
    configs?: Record<string, string>;
    // The client's own placement (CreateTopics assignments); partitions and replicationFactor are
    // then ignored.
    assignments?: ReplicaAssignment[];
    // A fresh UUID string from the caller (the controller owns randomness, not this function).
    topicId: string;
  },
): { record: CreateTopic } | TopicPlanError {
  const invalid = validateTopicName(req.name);
  if (invalid) return invalid;
  if (image.topic(req.name)) return { error: "TOPIC_ALREADY_EXISTS", message: `topic ${req.name} exists` };
  const configs = validateTopicConfigs(req.configs ?? {});
  if ("error" in configs) return configs;
  const assignment = req.assignments?.length
    ? manualAssignment(image, req.assignments)
    : assignReplicas(image, { partitions: req.partitions, replicationFactor: req.replicationFactor });
  if ("error" in assignment) return assignment;
  return {
    record: {
      type: "create_topic",
      name: req.name,
      topicId: req.topicId,
      internal: req.name.startsWith("__"),
      partitions: assignment,
      configs: configs.configs,
    },
  };
}

export function planCreatePartitions(
  image: MetaImage,
  req: { topic: string; totalCount: number },
): { record: CreatePartitions } | TopicPlanError {
  const t = image.topic(req.topic);
  if (!t) return { error: "UNKNOWN_TOPIC_OR_PARTITION", message: `no topic ${req.topic}` };
  if (req.totalCount <= t.partitions.length) {
    return {
      error: "INVALID_PARTITIONS",
      message: `topic ${req.topic} has ${t.partitions.length} partitions; the new count must be larger`,
    };
  }
  const assignment = assignReplicas(image, {
    partitions: req.totalCount - t.partitions.length,
    replicationFactor: t.partitions[0].replicas.length,
    firstPartition: t.partitions.length,
  });
  if ("error" in assignment) return assignment;
  return { record: { type: "create_partitions", topic: req.topic, partitions: assignment } };
}

export function planDeleteTopic(image: MetaImage, name: string): { record: DeleteTopic } | TopicPlanError {
  const t = image.topic(name);
  if (!t) return { error: "UNKNOWN_TOPIC_OR_PARTITION", message: `no topic ${name}` };
  return { record: { type: "delete_topic", name, topicId: t.id } };
}
