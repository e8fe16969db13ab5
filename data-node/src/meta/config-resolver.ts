import type { NodeConfig } from "../../../shared/config/schema.ts";
import { BROKER_CONFIGS } from "./broker-config-catalogue.ts";
import type { ConfigType } from "./config-values.ts";
import { TOPIC_CONFIGS, type TopicConfigDef } from "./topic-config-catalogue.ts";
import { checkTopicConfig } from "./topic-config-validation.ts";

// Where a config value comes from, as Kafka's DescribeConfigs reports it. chronik has no dynamic broker
// configs, so DYNAMIC_BROKER_CONFIG and DYNAMIC_DEFAULT_BROKER_CONFIG never occur.
export const ConfigSource = {
  TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

// Kafka's DescribeConfigsResponse ConfigType ids.
export const CONFIG_TYPE_ID: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
};

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isSensitive: boolean;
  source: number;
  // Where the value could come from, highest precedence first (Kafka's synonyms).
  synonyms: ConfigSynonym[];
  type: number;
  documentation: string;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

// Broker configs that stand for one another (log.retention.ms/minutes/hours): Kafka lists a broker
// config's synonyms from this group.
const BROKER_SYNONYM_GROUPS = new Map<string, string[]>();
for (const d of TOPIC_CONFIGS.values()) {
  if (d.synonyms.length < 2) continue;
  for (const name of d.synonyms) BROKER_SYNONYM_GROUPS.set(name, [...d.synonyms]);
}

// A described config: its source is its first synonym's (Kafka's rule), else DEFAULT_CONFIG.
function entry(
  d: { name: string; type: ConfigType; doc: string },
  value: string | null,
  readOnly: boolean,
  synonyms: ConfigSynonym[],
): ConfigEntry {
  return {
    name: d.name,
    value,
    readOnly,
    isSensitive: false,
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    synonyms,
    type: CONFIG_TYPE_ID[d.type],
    documentation: d.doc,
  };
}

// Topic and broker configs as one node sees them: its node config supplies the broker configs it has
// settings for, Kafka's defaults the rest, and a topic's overrides sit on top.
export class ConfigResolver {
  private readonly staticValues = new Map<string, string>();
  private readonly topicDefaults = new Map<string, string>();

  constructor(config: NodeConfig) {
    for (const d of BROKER_CONFIGS.values()) {
      if (d.fromNode) this.staticValues.set(d.name, String(d.fromNode(config)));
    }
    for (const d of TOPIC_CONFIGS.values()) this.topicDefaults.set(d.name, this.defaultOf(d));
  }

  // Every topic config's value for a topic with these overrides. Overrides that do not validate
  // (stored before validation existed) fall back to the default.
  effectiveTopicConfigs(overrides: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, dflt] of this.topicDefaults) out[name] = this.override(overrides, name) ?? dflt;
    return out;
  }

  describeTopic(overrides: Readonly<Record<string, string>>): ConfigEntry[] {
    return [...TOPIC_CONFIGS.values()].sort(byName).map((d) => {
      const fromBroker = d.synonyms.length === 0 ? [] : this.synonyms(d.synonyms, d.synonyms[0]);
      const own = this.override(overrides, d.name);
      const synonyms =
        own === undefined
          ? fromBroker
          : [{ name: d.name, value: own, source: ConfigSource.TOPIC_CONFIG }, ...fromBroker];
      return entry(d, own ?? (this.topicDefaults.get(d.name) as string), false, synonyms);
    });
  }

  // The broker configs, all read-only.
  describeBroker(): ConfigEntry[] {
    return [...BROKER_CONFIGS.values()].sort(byName).map((d) => {
      const synonyms = this.synonyms(BROKER_SYNONYM_GROUPS.get(d.name) ?? [d.name], d.name);
      return entry(d, this.staticValues.get(d.name) ?? d.kafkaDefault, true, synonyms);
    });
  }

  private override(overrides: Readonly<Record<string, string>>, name: string): string | undefined {
    const v = overrides[name];
    if (v === undefined) return undefined;
    const checked = checkTopicConfig(name, v);
    return "canonical" in checked ? checked.canonical : undefined;
  }

  // Kafka's order: every synonym set in the static config, then every one with a default, starting
  // from `first` (a lower-precedence synonym never stands before the config asked about).
  private synonyms(names: readonly string[], first: string): ConfigSynonym[] {
    const all: ConfigSynonym[] = [];
    for (const name of names) {
      const value = this.staticValues.get(name);
      if (value !== undefined) all.push({ name, value, source: ConfigSource.STATIC_BROKER_CONFIG });
    }
    for (const name of names) {
      const value = BROKER_CONFIGS.get(name)?.kafkaDefault;
      if (value != null) all.push({ name, value, source: ConfigSource.DEFAULT_CONFIG });
    }
    const start = all.findIndex((s) => s.name === first);
    return start < 0 ? [] : all.slice(start);
  }

  // The broker synonym's value (static, else Kafka's broker default), else Kafka's topic default.
  private defaultOf(d: TopicConfigDef): string {
    if (d.synonyms.length === 0) return d.default;
    return this.synonyms(d.synonyms, d.synonyms[0])[0]?.value ?? d.default;
  }
}
