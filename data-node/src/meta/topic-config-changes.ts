import { z } from "zod";
import type { MetaImage } from "./image.ts";
import type { TopicConfig } from "./records.ts";
import { TOPIC_CONFIGS } from "./topic-config-catalogue.ts";
import { type ConfigError, validateTopicConfigs } from "./topic-config-validation.ts";

// AlterConfigs and IncrementalAlterConfigs on a topic, planned by the __meta leader against its image
// (Kafka's ConfigurationControlManager): the topic's new override set is computed, the configs the
// request sets are validated, and the difference becomes one topic_config record.

export const configChangeSchema = z.object({
  name: z.string().min(1),
  op: z.enum(["set", "delete", "append", "subtract"]),
  value: z.string().nullable(),
});

// Crosses the wire from any node to the __meta leader, so it is checked there.
export const alterTopicConfigsSchema = z.object({
  topic: z.string().min(1),
  // "replace" (AlterConfigs): the changes, all "set", become the whole override set.
  // "incremental" (IncrementalAlterConfigs): only the named configs change.
  mode: z.enum(["replace", "incremental"]),
  changes: z.array(configChangeSchema),
  validateOnly: z.boolean(),
});

export type ConfigChange = z.infer<typeof configChangeSchema>;
export type AlterTopicConfigs = z.infer<typeof alterTopicConfigsSchema>;

export type AlterConfigsPlanError =
  | ConfigError
  | { error: "UNKNOWN_TOPIC_OR_PARTITION" | "INVALID_REQUEST"; message: string };

const splitList = (v: string): string[] => (v.trim() === "" ? [] : v.trim().split(/\s*,\s*/));

// `record` is null when nothing would change.
export function planAlterTopicConfigs(
  image: MetaImage,
  req: AlterTopicConfigs,
): { record: TopicConfig | null } | AlterConfigsPlanError {
  const topic = image.topic(req.topic);
  const current = topic?.configs ?? {};
  const next: Record<string, string> = req.mode === "replace" ? {} : { ...current };
  const changed: Record<string, string> = {};
  for (const c of req.changes) {
    if (c.op === "delete") {
      delete next[c.name];
      delete changed[c.name];
      continue;
    }
    if (c.value === null)
      return { error: "INVALID_REQUEST", message: `Null value not supported for ${c.op}: ${c.name}` };
    if (c.op === "set") {
      next[c.name] = c.value;
    } else {
      const def = TOPIC_CONFIGS.get(c.name);
      if (def?.type !== "list")
        return {
          error: "INVALID_CONFIG",
          message: `Cannot ${c.op.toUpperCase()} ${c.name}: only list configs (such as cleanup.policy) take APPEND and SUBTRACT`,
        };
      const items = splitList(next[c.name] ?? def.default);
      const given = splitList(c.value);
      next[c.name] = (
        c.op === "append"
          ? [...items, ...given.filter((v, i) => !items.includes(v) && given.indexOf(v) === i)]
          : items.filter((v) => !given.includes(v))
      ).join(",");
    }
    changed[c.name] = next[c.name];
  }
  // As Kafka's controller: the values are judged before the topic's existence.
  const checked = validateTopicConfigs(changed, next);
  if ("error" in checked) return checked;
  if (!topic) return { error: "UNKNOWN_TOPIC_OR_PARTITION", message: `no topic ${req.topic}` };
  Object.assign(next, checked.configs);
  const set = Object.fromEntries(Object.entries(next).filter(([k, v]) => current[k] !== v));
  const removed = Object.keys(current).filter((k) => !(k in next));
  if (Object.keys(set).length === 0 && removed.length === 0) return { record: null };
  return { record: { type: "topic_config", topic: req.topic, topicId: topic.id, set, delete: removed } };
}
