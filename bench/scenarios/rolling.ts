// A rolling restart as a producing client sees it: librdkafka's idempotent acks=all producer of the
// failover tests (one JSON line per delivery report, stamped with the wall clock) runs while each node
// in turn is SIGTERMed, started again and awaited ready. The stall is the longest gap between two
// consecutive acknowledgements of one partition.
import { join } from "node:path";
import { ProducerProcess } from "../../test/e2e/failover/clients.ts";
import { waitForSteadyAcks } from "../../test/e2e/failover/scenario.ts";
import { waitFor } from "../../test/support/poll.ts";
import { createTopics } from "../clients/admin.ts";
import type { BenchCluster } from "../cluster/bench-cluster.ts";
import type { Params } from "../result.ts";

const PARTITIONS = 12;
// producer.py has no rate setting: it keeps at most INFLIGHT records unacknowledged, and each batch
// waits LINGER_MS, so it sends at most INFLIGHT per LINGER_MS (4,000/s), a modest load.
const INFLIGHT = 60;
const LINGER_MS = 15;

export const ROLLING_CLIENT =
  "librdkafka (confluent-kafka-python, /usr/bin/python3): idempotent, acks=all, test/e2e/failover/producer.py";

export interface RollingResult {
  longestMs: number;
  // Per restarted node: the longest gap ending between its SIGTERM and the next node's (or the end).
  perNodeMs: number[];
  recordsPerSec: number;
  params: Params;
  notes: string[];
}

export async function rollingStall(c: BenchCluster, timeoutMs: number): Promise<RollingResult> {
  const topic = "bench-rolling";
  await createTopics(c.bootstrapList(), [{ topic, partitions: PARTITIONS, replicationFactor: 3 }]);
  const producer = ProducerProcess.start(
    {
      bootstrap: c.bootstrap,
      topic,
      partitions: PARTITIONS,
      idempotent: true,
      inflight: INFLIGHT,
      conf: { "linger.ms": LINGER_MS },
    },
    join(c.inner.dir, `${topic}-producer.log`),
  );
  try {
    // About a second of steady acknowledgements first: the gaps before the first SIGTERM are the
    // figure's floor.
    await waitForSteadyAcks(producer, PARTITIONS, 200);
    const termAt: number[] = [];
    for (const id of c.ids) {
      termAt.push(Date.now());
      await c.stop(id, timeoutMs);
      await c.start(timeoutMs, [id]);
    }
    // Wait for every partition to be acknowledged again, so that a stall still open is measured whole.
    const lastReady = Date.now();
    await waitFor(
      "acknowledgements on every partition after the last restart",
      () => Array.from({ length: PARTITIONS }, (_, i) => i).every((i) => producer.acksFor(i, lastReady) > 0),
      { timeoutMs },
    );
    const done = await producer.stop();

    const byPartition = new Map<number, number[]>();
    for (const a of producer.acks) {
      const times = byPartition.get(a.p) ?? [];
      times.push(a.t);
      byPartition.set(a.p, times);
    }
    let steadyMs = 0;
    const perNodeMs = termAt.map(() => 0);
    for (const times of byPartition.values()) {
      times.sort((x, y) => x - y);
      for (let i = 1; i < times.length; i++) {
        const gap = times[i] - times[i - 1];
        const node = termAt.findLastIndex((t) => t <= times[i]);
        if (node < 0) steadyMs = Math.max(steadyMs, gap);
        else perNodeMs[node] = Math.max(perNodeMs[node], gap);
      }
    }
    // Delivery reports arrive in time order, so the first and last span the run.
    const seconds = ((producer.acks.at(-1)?.t ?? 0) - (producer.acks[0]?.t ?? 0)) / 1000;
    const failed = producer.failures.filter((f) => f.ev === "nack");
    const fatal = producer.failures.filter((f) => f.ev === "error" && f.fatal);
    const transient = producer.failures.length - failed.length - fatal.length;
    const firstBad = [...fatal, ...failed][0];
    return {
      longestMs: Math.max(...perNodeMs),
      perNodeMs,
      recordsPerSec: producer.acks.length / seconds,
      params: {
        nodes: 3,
        rf: 3,
        partitions: PARTITIONS,
        acks: "all",
        idempotent: true,
        batch: `≤ ${INFLIGHT} records in flight / linger ${LINGER_MS} ms`,
        acked: producer.acks.length,
        unfinished: done.unfinished ?? 0,
        failed_deliveries: failed.length,
        fatal_errors: fatal.length,
        retriable_client_errors: transient,
        steady_longest_gap_ms: Math.round(steadyMs),
      },
      notes: [
        `the longest gap between consecutive acknowledgements of one partition, per node restarted (SIGTERM, exit, start, /health/ready 200, then the next node); before the first SIGTERM the longest gap was ${Math.round(steadyMs)} ms`,
        `non-retriable errors reported by the producer: ${failed.length} failed deliveries, ${fatal.length} fatal errors${firstBad ? ` (first: ${firstBad.err})` : ""}; ${transient} retriable client errors (e.g. connection lost)`,
      ],
    };
  } finally {
    producer.kill();
  }
}
