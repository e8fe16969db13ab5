import { type AssignmentError, assignReplicas } from "./assignment.ts";
import type { MetaImage } from "./image.ts";
import type { CreatePartitions, CreateTopic, DeleteTopic, TopicConfig } from "./records.ts";

// Controller duties for topic admin requests: validate against the image, assign replicas, and return
// the record to propose (or the Kafka error to answer with).

export type TopicPlanError = {
  error:
    | AssignmentError["error"]
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
    // A fresh UUID string from the caller (the controller owns randomness, not this function).
    topicId: string;
  },
): { record: CreateTopic } | TopicPlanError {
  const invalid = validateTopicName(req.name);
  if (invalid) return invalid;
  if (image.topic(req.name)) return { error: "TOPIC_ALREADY_EXISTS", message: `topic ${req.name} exists` };
  const assignment = assignReplicas(image, {
    partitions: req.partitions,
    replicationFactor: req.replicationFactor,
  });
  if ("error" in assignment) return assignment;
  return {
    record: {
      type: "create_topic",
      name: req.name,
      topicId: req.topicId,
      internal: req.name.startsWith("__"),
      partitions: assignment,
      configs: { ...(req.configs ?? {}) },
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

export function planTopicConfig(
  image: MetaImage,
  req: { topic: string; set?: Record<string, string>; delete?: string[] },
): { record: TopicConfig } | TopicPlanError {
  if (!image.topic(req.topic))
    return { error: "UNKNOWN_TOPIC_OR_PARTITION", message: `no topic ${req.topic}` };
  return {
    record: {
      type: "topic_config",
      topic: req.topic,
      set: { ...(req.set ?? {}) },
      delete: [...(req.delete ?? [])],
    },
  };
}
