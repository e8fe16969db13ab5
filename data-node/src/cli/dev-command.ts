import { parseCommandArgs } from "./args.ts";

const help = `usage: chronik dev [--nodes 1|3] [--data-dir DIR]

Starts a local cluster as child processes from config/node{1,2,3}-cluster.toml (or
config/single-node.toml with --nodes 1) plus the control plane, shows each node's progress,
prints the bootstrap servers once all are ready, and stops everything on Ctrl-C.`;

export async function devCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { nodes: { type: "string", default: "3" }, "data-dir": { type: "string" } },
    help,
  );
  if (typeof args === "number") return args;
  if (args.values.nodes !== "1" && args.values.nodes !== "3") {
    console.error(`chronik dev: --nodes must be 1 or 3\n\n${help}`);
    return 2;
  }
  console.error("chronik dev: the data node runtime is not built yet");
  return 3;
}
