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

// "Idle" starts once every node hosts its replicas and has let them quiesce: creating a thousand
// partitions keeps nodes busy for some seconds after Metadata already names every leader.
async function waitSettled(cluster: BenchCluster, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const metric = (text: string, name: string) =>
    Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, "m").exec(text)?.[1] ?? 0);
  let last: number[] = [];
  while (performance.now() < deadline) {
    const texts = await Promise.all(
      cluster.ids.map((id) => fetch(`${cluster.adminUrl(id)}/metrics`).then((r) => r.text())),
    );
    const groups = texts.map((t) => metric(t, "chronik_raft_groups"));
    const quiesced = texts.map((t) => metric(t, "chronik_raft_groups_quiesced"));
    if (groups.every((g, i) => g === last[i] && quiesced[i] >= 0.95 * g)) return;
    last = groups;
    await new Promise((r) => setTimeout(r, 500));
  }
}

// Percent of one core used by each node over the window, in node id order.
export async function sampleIdleCpu(cluster: BenchCluster, seconds: number): Promise<number[]> {
  await waitSettled(cluster, 60_000);
  const pids = cluster.ids.map((id) => cluster.pid(id));
  const before = pids.map(cpuTicks);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const after = pids.map(cpuTicks);
  return pids.map((_, i) => ((after[i] - before[i]) / CLOCK_TICKS_PER_SEC / elapsed) * 100);
}
