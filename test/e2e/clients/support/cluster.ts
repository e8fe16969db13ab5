// One 3-node cluster of real data-node processes per test file, on that file's own ports.
import { afterAll, beforeAll } from "vitest";
import { TestCluster } from "../../../support/cluster.ts";

export interface ClientCluster {
  readonly cluster: TestCluster;
  readonly bootstrap: string;
  // The warning and error lines of every node's log (tail), to attach to a failure.
  logs(): string;
}

// The first rebalance of a new group waits a moment for more members, as Kafka's default does, so
// three members that start together usually settle in one generation.
const groups = { initial_rebalance_delay_ms: 1000 };

export function useCluster(kafkaBase: number, httpBase: number): () => ClientCluster {
  let current: ClientCluster | undefined;
  beforeAll(async () => {
    const cluster = new TestCluster({ nodes: 3, kafkaBase, httpBase, extra: { groups } });
    current = {
      cluster,
      bootstrap: cluster.bootstrap,
      logs: () =>
        cluster.nodes
          .map((n) => {
            const lines = cluster.log(n.id).split("\n");
            const notable = lines.filter((l) => /"level":(40|50|60)/.test(l)).slice(-15);
            return `node ${n.id} (${n.logFile}):\n${notable.join("\n")}`;
          })
          .join("\n"),
    };
    await cluster.startAll();
  });
  // Error-level lines mean the broker failed at something a client asked of it.
  afterAll(async () => {
    if (!current) return;
    await current.cluster.stopAll();
    const errors = current.cluster.nodes.flatMap((n) =>
      current!.cluster
        .log(n.id)
        .split("\n")
        .filter((l) => /"level":(50|60)/.test(l))
        .map((l) => `node ${n.id}: ${l.slice(0, 600)}`),
    );
    if (errors.length)
      throw new Error(`nodes logged ${errors.length} error(s):\n${errors.slice(0, 5).join("\n")}`);
  });
  return () => {
    if (!current) throw new Error("cluster not started");
    return current;
  };
}
