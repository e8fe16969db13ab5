import { ConfigError, formatIssue } from "../../../shared/config/issues.ts";
import { loadNodeConfig } from "../../../shared/config/load.ts";
import { parseCommandArgs } from "./args.ts";

const help = `usage: chronik node --config FILE

Runs one data node from its TOML config file (see config/single-node.toml for every key).
The file is validated first; any error stops the node before it binds a port.`;

export async function nodeCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { config: { type: "string", short: "c" } }, help);
  if (typeof args === "number") return args;
  const file = args.values.config;
  if (typeof file !== "string") {
    console.error(`chronik node: --config FILE is required\n\n${help}`);
    return 2;
  }
  try {
    const { warnings } = loadNodeConfig(file);
    for (const w of warnings) console.warn(formatIssue(w));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 1;
  }
  console.error("chronik node: the data node runtime is not built yet; the config is valid");
  return 3;
}
