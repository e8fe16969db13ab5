import { parseValue } from "./config-values.ts";
import { TOPIC_CONFIGS } from "./topic-config-catalogue.ts";

// Topic config checks, as Kafka's LogConfig.validate makes them: the name must be a topic config, the
// value must parse as its type and pass its rule, and min.compaction.lag.ms may not exceed
// max.compaction.lag.ms. A failure is INVALID_CONFIG with a message naming the key, the value and
// what is allowed.

export type ConfigError = { error: "INVALID_CONFIG"; message: string };

export function checkTopicConfig(name: string, value: string): { canonical: string } | ConfigError {
  const def = TOPIC_CONFIGS.get(name);
  if (!def) return invalid(`Unknown topic config name: ${name} (value "${value}")`);
  const parsed = parseValue(def.type, value);
  if (!parsed)
    return invalid(
      `Invalid value "${value}" for configuration ${name}: must be ${article(def.type)} ${def.type}`,
    );
  if (def.rule && !def.rule.test(parsed.value))
    return invalid(`Invalid value "${value}" for configuration ${name}: must be ${def.rule.allowed}`);
  return { canonical: parsed.canonical };
}

// Checks `changed` (the configs a request sets) and the cross-config rule on `result` (the topic's
// whole override set afterwards); answers `changed` in canonical form.
export function validateTopicConfigs(
  changed: Readonly<Record<string, string>>,
  result: Readonly<Record<string, string>> = changed,
): { configs: Record<string, string> } | ConfigError {
  const configs: Record<string, string> = {};
  for (const [name, value] of Object.entries(changed)) {
    const checked = checkTopicConfig(name, value);
    if ("error" in checked) return checked;
    configs[name] = checked.canonical;
  }
  // A stored value that no longer validates counts as unset, as everywhere else.
  const lag = (name: string) => {
    const v = configs[name] ?? result[name];
    const checked = v === undefined ? undefined : checkTopicConfig(name, v);
    return BigInt(
      checked && "canonical" in checked ? checked.canonical : (TOPIC_CONFIGS.get(name)?.default ?? 0),
    );
  };
  const min = lag("min.compaction.lag.ms");
  const max = lag("max.compaction.lag.ms");
  if (min > max)
    return invalid(
      `Conflicting topic configs: min.compaction.lag.ms (${min}) is greater than max.compaction.lag.ms (${max})`,
    );
  return { configs };
}

const article = (word: string) => (/^[aeiou]/.test(word) ? "an" : "a");

function invalid(message: string): ConfigError {
  return { error: "INVALID_CONFIG", message };
}
