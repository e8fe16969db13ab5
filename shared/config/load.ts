import { readFileSync } from "node:fs";
import { parse, TomlError } from "smol-toml";
import type { z } from "zod";
import { checkCluster, type LoadedFile } from "./cluster-rules.ts";
import { ConfigError, type ConfigIssue, hasErrors } from "./issues.ts";
import { checkNode } from "./node-rules.ts";
import { type NodeConfig, nodeConfigSchema } from "./schema.ts";

export interface ParsedConfig {
  file: string;
  config?: NodeConfig;
  issues: ConfigIssue[];
}

// Parses and checks one file's text. Never throws: every problem becomes an issue naming the key.
export function parseNodeConfig(file: string, text: string): ParsedConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const first = err.message.split("\n")[0];
    return {
      file,
      issues: [
        {
          severity: "error",
          file,
          path: `line ${err.line}, column ${err.column}`,
          message: `not valid TOML: ${first}`,
          fix: "correct the TOML syntax at that position",
        },
      ],
    };
  }
  const result = nodeConfigSchema.safeParse(raw);
  if (!result.success) {
    return { file, issues: result.error.issues.map((i) => ({ ...schemaIssue(i), file })) };
  }
  return { file, config: result.data, issues: checkNode(result.data).map((i) => ({ ...i, file })) };
}

function schemaIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return {
      severity: "error",
      path: keys.join(", "),
      message: `unknown key${keys.length > 1 ? "s" : ""}`,
      fix: "remove it or correct its spelling (see config/single-node.toml for every key)",
    };
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return {
      severity: "error",
      path,
      message: `missing (${issue.message})`,
      fix: `add ${path} (see config/single-node.toml for an example)`,
    };
  }
  return {
    severity: "error",
    path: path || "(top level)",
    message: issue.message,
    fix: `correct ${path || "the file"}`,
  };
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, "");
}

export function readNodeConfig(file: string): ParsedConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    return {
      file,
      issues: [
        {
          severity: "error",
          file,
          path: "(file)",
          message: `cannot read the file (${reason})`,
          fix: "pass the path of an existing config file",
        },
      ],
    };
  }
  return parseNodeConfig(file, text);
}

// Checks several files and, when all parse, that they describe one cluster.
export function checkConfigFiles(files: string[]): ParsedConfig[] {
  const parsed = files.map(readNodeConfig);
  const loaded = parsed.filter((p): p is ParsedConfig & LoadedFile => p.config !== undefined);
  if (loaded.length === parsed.length) {
    for (const issue of checkCluster(loaded)) parsed.find((p) => p.file === issue.file)!.issues.push(issue);
  }
  return parsed;
}

// For `chronik node`: the config or a ConfigError listing every error. Warnings are returned.
export function loadNodeConfig(file: string): { config: NodeConfig; warnings: ConfigIssue[] } {
  const parsed = readNodeConfig(file);
  if (!parsed.config || hasErrors(parsed.issues))
    throw new ConfigError(parsed.issues.filter((i) => i.severity === "error"));
  return { config: parsed.config, warnings: parsed.issues };
}
