import { stringify } from "smol-toml";
import type { ConfigIssue } from "../../../shared/config/issues.ts";
import { parseNodeConfig } from "../../../shared/config/load.ts";

// A valid three-node config for node `id`, with overrides applied to the parsed TOML object.
export function clusterConfig(id: number, edit: (doc: Record<string, any>) => void = () => {}): string {
  const doc: Record<string, any> = {
    node_id: id,
    cluster_id: "local",
    data_dir: `./data/node${id}`,
    kafka: { listen: `127.0.0.1:${9091 + id}` },
    raft: { listen: `127.0.0.1:${9191 + id}` },
    http: { listen: `127.0.0.1:${8080 + id}` },
    peers: [1, 2, 3].map((p) => ({ id: p, addr: `127.0.0.1:${9091 + p}`, raft_port: 9191 + p })),
  };
  edit(doc);
  return stringify(doc);
}

export function issuesOf(text: string, file = "node.toml"): ConfigIssue[] {
  return parseNodeConfig(file, text).issues;
}

export function errorsOf(text: string): ConfigIssue[] {
  return issuesOf(text).filter((i) => i.severity === "error");
}
