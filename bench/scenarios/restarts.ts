// Restarts: one node restarted after SIGKILL and after SIGTERM, holding 1 and 1,000 partitions; the
// whole 3-node cluster SIGKILLed and started again; the longest produce stall a client sees during a
// rolling restart. Every restart starts the node(s) again on their own data, and each figure runs from
// the new processes' spawn.
import { createTopics, waitForLeaders } from "../clients/admin.ts";
import { jsProduceWithFallback } from "../clients/js-producer.ts";
import { BenchCluster } from "../cluster/bench-cluster.ts";
import { errorText, type Measurement, measured, notRun, type Params } from "../result.ts";
import { median } from "../stats.ts";
import type { BenchContext } from "./context.ts";
import { untilProduced } from "./failover.ts";
import { createIdlePartitions } from "./idle-cpu.ts";
import { ROLLING_CLIENT, rollingStall } from "./rolling.ts";
import { checkBudget, step } from "./steps.ts";

export const RESTART_IDS = {
  sigkill1: "restart.sigkill_1p",
  sigterm1: "restart.sigterm_1p",
  sigkill1000: "restart.sigkill_1000p",
  sigterm1000: "restart.sigterm_1000p",
  fullCluster: "restart.full_cluster",
  rollingStall: "restart.rolling_stall",
} as const;

type Key = keyof typeof RESTART_IDS;
type Signal = "SIGKILL" | "SIGTERM";

const RESTART_CLIENT =
  "HTTP poll of /health/ready every 10 ms; kafkajs (fresh producer per attempt, acks=all); kafkajs admin Metadata every 20 ms";
const FULL_PARTITIONS = 12;

// Stops every node of the cluster at once (SIGKILL, or SIGTERM waiting for the exit), starts them again
// and times from the spawn: all nodes ready, the first acks=all produce acknowledged on partition 0 of
// topics[0], and a leader for every partition of the topics (polled once the nodes are ready).
async function restartRound(
  c: BenchCluster,
  signal: Signal,
  topics: string[],
  timeoutMs: number,
): Promise<Record<string, number>> {
  const shutdown = await Promise.all(
    c.ids.map((id) => (signal === "SIGKILL" ? c.kill(id).then(() => 0) : c.stop(id, timeoutMs))),
  );
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const bootstrap = c.bootstrapList();
  const ready = c.start(timeoutMs).then(since);
  const produce = untilProduced(bootstrap, topics[0], timeoutMs).then(since);
  const leaders = ready.then(() => waitForLeaders(bootstrap, topics, timeoutMs, 20)).then(since);
  // allSettled: a failed phase must not leave the others polling into the next round.
  const settled = await Promise.allSettled([ready, produce, leaders]);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  const [readyMs, produceMs, leadersMs] = settled.map((s) => (s.status === "fulfilled" ? s.value : 0));
  return {
    ready: readyMs,
    produce: produceMs,
    leaders: leadersMs,
    ...(signal === "SIGTERM" ? { shutdown: Math.max(...shutdown) } : {}),
  };
}

export async function restarts(ctx: BenchContext): Promise<Measurement[]> {
  const p = ctx.profile;
  const titles: Record<Key, string> = {
    sigkill1: "1 node, 1 partition: restart after SIGKILL → ready",
    sigterm1: "1 node, 1 partition: restart after SIGTERM → ready",
    sigkill1000: `1 node, ${p.idlePartitions} partitions: restart after SIGKILL → ready`,
    sigterm1000: `1 node, ${p.idlePartitions} partitions: restart after SIGTERM → ready`,
    fullCluster: `3 nodes, ${FULL_PARTITIONS} partitions RF3: all SIGKILLed, restarted → all ready`,
    rollingStall: "3 nodes: rolling restart (SIGTERM each) under an idempotent producer: longest stall",
  };
  const rows: Measurement[] = [];

  // The rows `keys` of one cluster; whatever stops the cluster's setup makes its missing rows "not run".
  const onCluster = async (
    nodes: 1 | 3,
    name: string,
    keys: Key[],
    fn: (c: BenchCluster) => Promise<void>,
  ) => {
    let cluster: BenchCluster | undefined;
    const own = () => rows.filter((r) => keys.some((k) => RESTART_IDS[k] === r.id));
    try {
      checkBudget(ctx);
      cluster = await BenchCluster.create(nodes, name);
      ctx.log(`chronik: starting ${name} (${nodes} node${nodes > 1 ? "s" : ""}) …`);
      await cluster.start(p.readyTimeoutMs);
      await fn(cluster);
    } catch (err) {
      ctx.log(`chronik: ${name}: ${errorText(err)}`);
      for (const k of keys)
        if (!own().some((r) => r.id === RESTART_IDS[k]))
          rows.push(notRun(RESTART_IDS[k], "chronik", titles[k], errorText(err), { nodes }));
    } finally {
      const kept = await cluster?.destroy(own().some((r) => r.status !== "ok"));
      if (kept) ctx.log(`chronik: node logs of ${name} kept in ${kept}`);
    }
  };

  const repeated = (key: Key, c: BenchCluster, signal: Signal, topics: string[], params: Params) =>
    step(RESTART_IDS[key], titles[key], params, ctx, async () => {
      const rounds: Record<string, number>[] = [];
      for (let i = 0; i < p.restartRepeats; i++) {
        const round = await restartRound(c, signal, topics, p.readyTimeoutMs);
        rounds.push(round);
        ctx.log(
          `  ${Object.entries(round)
            .map(([phase, ms]) => `${phase} ${Math.round(ms)} ms`)
            .join(", ")}`,
        );
      }
      const phasesMs = Object.fromEntries(Object.keys(rounds[0]).map((k) => [k, rounds.map((r) => r[k])]));
      return measured({
        id: RESTART_IDS[key],
        group: "chronik",
        title: titles[key],
        client: RESTART_CLIENT,
        metrics: { millis: median(phasesMs.ready), phasesMs },
        params: { ...params, signal, repetitions: rounds.length },
        notes: [
          "ms from the new processes' spawn to: every node's /health/ready 200 (ready; the figure held against the target is its median), the first acks=all produce acknowledged (produce), a leader for every partition in Metadata (leaders)" +
            (signal === "SIGTERM" ? "; shutdown: SIGTERM → process exit, before the spawn" : ""),
        ],
      });
    });

  await onCluster(1, "bench-restart-1p", ["sigkill1", "sigterm1"], async (c) => {
    const topic = "bench-restart";
    await createTopics(c.bootstrapList(), [{ topic, partitions: 1, replicationFactor: 1 }]);
    await untilProduced(c.bootstrapList(), topic, p.readyTimeoutMs);
    const params = { nodes: 1, rf: 1, partitions: 1 };
    rows.push(await repeated("sigkill1", c, "SIGKILL", [topic], params));
    rows.push(await repeated("sigterm1", c, "SIGTERM", [topic], params));
  });

  await onCluster(1, "bench-restart-1000p", ["sigkill1000", "sigterm1000"], async (c) => {
    ctx.log(`chronik: creating ${p.idlePartitions} partitions …`);
    const topics = await createIdlePartitions(c, p.idlePartitions, 1, p.idleCreateTimeoutMs);
    const params = { nodes: 1, rf: 1, partitions: p.idlePartitions, topics: topics.length };
    rows.push(await repeated("sigkill1000", c, "SIGKILL", topics, params));
    rows.push(await repeated("sigterm1000", c, "SIGTERM", topics, params));
  });

  await onCluster(3, "bench-restart-3n", ["fullCluster", "rollingStall"], async (c) => {
    const topic = "bench-restart-full";
    await createTopics(c.bootstrapList(), [{ topic, partitions: FULL_PARTITIONS, replicationFactor: 3 }]);
    const data = await jsProduceWithFallback({
      client: ctx.jsClient,
      bootstrap: c.bootstrapList(),
      topic,
      partitions: FULL_PARTITIONS,
      records: p.restartDataRecords,
      recordSize: p.recordSize,
      acks: -1,
      batchBytes: p.batchBytes,
      timeoutMs: p.stepTimeoutS * 1000,
    });
    rows.push(
      await repeated("fullCluster", c, "SIGKILL", [topic], {
        nodes: 3,
        rf: 3,
        partitions: FULL_PARTITIONS,
        data: `${data.records} records of ${p.recordSize} B (${data.client})`,
      }),
    );
    rows.push(
      await step(RESTART_IDS.rollingStall, titles.rollingStall, { nodes: 3, rf: 3 }, ctx, async () => {
        if (ctx.librdkafkaMissing) throw new Error(ctx.librdkafkaMissing);
        const r = await rollingStall(c, p.readyTimeoutMs);
        return measured({
          id: RESTART_IDS.rollingStall,
          group: "chronik",
          title: titles.rollingStall,
          client: ROLLING_CLIENT,
          metrics: { millis: r.longestMs, perNode: r.perNodeMs, recordsPerSec: r.recordsPerSec },
          params: r.params,
          notes: r.notes,
        });
      }),
    );
  });
  return rows;
}
