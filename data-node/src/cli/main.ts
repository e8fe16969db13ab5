import { configCommand } from "./config-command.ts";
import { devCommand } from "./dev-command.ts";
import { nodeCommand } from "./node-command.ts";

// The chronik executable's subcommands. Each takes the remaining arguments and returns an exit code.
// Heavier subcommands are imported on demand so `chronik config check` starts fast.
type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  config: { summary: "check node config files (chronik config check FILE...)", run: configCommand },
  node: { summary: "run a data node from a TOML file (chronik node --config FILE)", run: nodeCommand },
  "control-plane": {
    summary: "run the control plane, or apply its migrations (chronik control-plane [migrate])",
    run: async (argv) => (await import("../../../control-plane/src/node.ts")).controlPlaneCommand(argv),
  },
  dev: { summary: "run a local cluster and control plane (chronik dev --nodes 1|3)", run: devCommand },
  sim: {
    summary: "run the deterministic Raft simulator (chronik sim --seeds N)",
    run: async (argv) => (await import("../raft-sim/cli.ts")).simCommand(argv),
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "usage: chronik <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "chronik <command> --help for a command's options",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`chronik: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}
