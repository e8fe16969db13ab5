import { resolve } from "node:path";
import { ConfigError } from "../../../shared/config/issues.ts";
import { loadNodeConfig } from "../../../shared/config/load.ts";
import { createLogger } from "../../../shared/log.ts";
import { parseCommandArgs } from "./args.ts";

const help = `usage: chronik node --config FILE [--data-dir DIR]

Runs one data node from its TOML config file (see config/single-node.toml for every key).
The file is validated first; any error stops the node before it binds a port.
--data-dir overrides the file's data_dir. SIGTERM or Ctrl-C stops the node cleanly.`;

export async function nodeCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { config: { type: "string", short: "c" }, "data-dir": { type: "string" } },
    help,
  );
  if (typeof args === "number") return args;
  const file = args.values.config;
  if (typeof file !== "string") {
    console.error(`chronik node: --config FILE is required\n\n${help}`);
    return 2;
  }
  let loaded: ReturnType<typeof loadNodeConfig>;
  try {
    loaded = loadNodeConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 1;
  }
  const config = loaded.config;
  if (typeof args.values["data-dir"] === "string") config.data_dir = args.values["data-dir"];
  config.data_dir = resolve(config.data_dir);
  const logger = createLogger({ node_id: config.node_id });
  for (const w of loaded.warnings) logger.warn({ file, key: w.path, fix: w.fix }, w.message);
  logger.info(
    { config: file, data_dir: config.data_dir, cluster_id: config.cluster_id },
    "starting data node",
  );

  const { startNode } = await import("../node/start.ts");
  return startNode(config, file, logger);
}
