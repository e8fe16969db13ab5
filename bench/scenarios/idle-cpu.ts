// Idle CPU with many partitions: create them through the Kafka admin API, wait until each has a
// leader, then sample every node process's CPU time (/proc/<pid>/stat) over a window.
import { createTopics, waitForLeaders } from "../clients/admin.ts";
import type { BenchCluster } from "../cluster/bench-cluster.ts";
import { CLOCK_TICKS_PER_SEC, cpuTicks } from "../proc.ts";

export async function createIdlePartitions(
  cluster: BenchCluster,
  total: number,
  rf: number,
  timeoutMs: number,
): Promise<string[]> {
  const perTopic = 100;
  const topics = Array.from(
    { length: Math.ceil(total / perTopic) },
    (_, i) => `idle-${String(i).padStart(2, "0")}`,
  );
  const bootstrap = cluster.bootstrapList();
  await createTopics(
    bootstrap,
    topics.map((topic, i) => ({
      topic,
      partitions: Math.min(perTopic, total - i * perTopic),
      replicationFactor: rf,
    })),
    timeoutMs,
  );
  await waitForLeaders(bootstrap, topics, timeoutMs);
  return topics;
}

// Percent of one core used by each node over the window, in node id order.
export async function sampleIdleCpu(cluster: BenchCluster, seconds: number): Promise<number[]> {
  const pids = cluster.ids.map((id) => cluster.pid(id));
  const before = pids.map(cpuTicks);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const after = pids.map(cpuTicks);
  return pids.map((_, i) => ((after[i] - before[i]) / CLOCK_TICKS_PER_SEC / elapsed) * 100);
}
