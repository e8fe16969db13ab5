// A parsed single-node config with every default filled in, for code that reads a NodeConfig.
import { type NodeConfig, nodeConfigSchema } from "../../shared/config/schema.ts";

export function testNodeConfig(extra: Record<string, Record<string, unknown>> = {}): NodeConfig {
  return nodeConfigSchema.parse({
    node_id: 1,
    cluster_id: "test",
    data_dir: "./data/test",
    kafka: { listen: "127.0.0.1:9092" },
    raft: { listen: "127.0.0.1:9192" },
    http: { listen: "127.0.0.1:8081" },
    peers: [{ id: 1, addr: "127.0.0.1:9092", raft_port: 9192 }],
    ...extra,
  });
}
