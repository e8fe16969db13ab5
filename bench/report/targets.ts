// The project's targets, each evaluated against a baseline measured in the same run. Pure: takes the
// run's measurements, returns one check per target ("not run" when a side is missing).
import type { Measurement } from "../result.ts";

export interface Check {
  target: string;
  measured?: number;
  measuredText: string;
  baselineText: string;
  ratio?: number;
  // "measured / target", e.g. "0.62× / ≥ 0.5×".
  verdictText: string;
  pass?: boolean;
  reason?: string;
  // A second, informative comparison (e.g. consume against the physical consume path).
  context?: string;
}

type Pick = (m: Measurement) => number | undefined;

const mb: Pick = (m) => m.metrics.mbPerSec;
const rps: Pick = (m) => m.metrics.recordsPerSec;

function find(rows: Measurement[], id: string): Measurement | undefined {
  return rows.find((r) => r.id === id);
}

function why(rows: Measurement[], ids: string[]): string {
  const parts = ids.map((id) => {
    const r = find(rows, id);
    if (!r) return `${id}: not measured`;
    return r.status === "ok" ? undefined : `${id}: not run (${r.reason})`;
  });
  return parts.filter(Boolean).join("; ");
}

export const fmt = (v: number, digits = 1): string =>
  v >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toFixed(v >= 100 ? 0 : digits);

function ratioCheck(
  rows: Measurement[],
  target: string,
  id: string,
  baseId: string,
  pick: Pick,
  unit: string,
  min: number,
): Check {
  const m = find(rows, id);
  const b = find(rows, baseId);
  const mv = m?.status === "ok" ? pick(m) : undefined;
  const bv = b?.status === "ok" ? pick(b) : undefined;
  const baselineText = bv === undefined ? `${baseId}: —` : `${fmt(bv)} ${unit} (${b?.title})`;
  if (mv === undefined || bv === undefined || bv === 0) {
    return {
      target,
      measuredText: mv === undefined ? "not run" : `${fmt(mv)} ${unit}`,
      baselineText,
      verdictText: `not run / ≥ ${min}×`,
      reason: why(rows, [id, baseId]) || "figure missing",
    };
  }
  const ratio = mv / bv;
  return {
    target,
    measured: mv,
    measuredText: `${fmt(mv)} ${unit}`,
    baselineText,
    ratio,
    verdictText: `${ratio.toFixed(2)}× / ≥ ${min}×`,
    pass: ratio >= min,
  };
}

function limitCheck(
  rows: Measurement[],
  target: string,
  id: string,
  pick: Pick,
  unit: string,
  max: number,
  baseline?: { id: string; pick: Pick; label: string },
): Check {
  const m = find(rows, id);
  const mv = m?.status === "ok" ? pick(m) : undefined;
  const b = baseline ? find(rows, baseline.id) : undefined;
  const bv = b?.status === "ok" && baseline ? baseline.pick(b) : undefined;
  const baselineText = baseline
    ? bv === undefined
      ? `${baseline.label}: —`
      : `${fmt(bv, 2)} ${unit} (${baseline.label})`
    : "— (absolute target)";
  if (mv === undefined) {
    return {
      target,
      measuredText: "not run",
      baselineText,
      verdictText: `not run / ≤ ${max} ${unit}`,
      reason: why(rows, [id]) || "figure missing",
    };
  }
  return {
    target,
    measured: mv,
    measuredText: `${fmt(mv, 2)} ${unit}`,
    baselineText,
    ratio: bv ? mv / bv : undefined,
    verdictText: `${fmt(mv, 2)} / ≤ ${max} ${unit}`,
    pass: mv <= max,
  };
}

const CACHED_READ = "baseline.segment_read_cached";

// The same measured figure against a second baseline, shown beside the verdict.
function withContext(rows: Measurement[], check: Check, otherId: string, label: string): Check {
  const o = find(rows, otherId);
  const ov = o?.status === "ok" ? o.metrics.mbPerSec : undefined;
  if (check.measured === undefined || !ov) return check;
  return { ...check, context: `vs ${label} (${fmt(ov)} MB/s): ${(check.measured / ov).toFixed(2)}×` };
}

// Consume of cached bytes against file → loopback TCP too: a read from the page cache is a memory
// copy that no socket path can reach.
function physicalConsumeContext(rows: Measurement[], check: Check): Check {
  const b = find(rows, "baseline.file_tcp");
  const bv = b?.status === "ok" ? b.metrics.mbPerSec : undefined;
  if (check.measured === undefined || !bv) return check;
  return {
    ...check,
    context: `vs cached file → loopback TCP (${fmt(bv)} MB/s): ${(check.measured / bv).toFixed(2)}×`,
  };
}

export function evaluate(rows: Measurement[]): Check[] {
  return checks(rows).map((c) =>
    c.target.startsWith("consume") && !c.target.includes("from disk") ? physicalConsumeContext(rows, c) : c,
  );
}

function checks(rows: Measurement[]): Check[] {
  const syncLatency = { id: "baseline.fdatasync", label: "raw fdatasync" };
  return [
    ratioCheck(
      rows,
      "1-node acks=1 produce, fsync never ≥ 0.5 × physical path (a, no fsync)",
      "chronik.1n_acks1_nofsync",
      "baseline.tcp_file",
      mb,
      "MB/s",
      0.5,
    ),
    ratioCheck(
      rows,
      "1-node acks=1 produce, fsync always ≥ 0.5 × physical path (a, fdatasync per batch)",
      "chronik.1n_acks1",
      "baseline.tcp_file_sync",
      mb,
      "MB/s",
      0.5,
    ),
    withContext(
      rows,
      ratioCheck(
        rows,
        "3-node RF3 acks=all fsync ≥ 0.4 × 1-node acks=1 (fsync always)",
        "chronik.3n_acksall",
        "chronik.1n_acks1",
        mb,
        "MB/s",
        0.4,
      ),
      "chronik.1n_acks1_nofsync",
      "1 node, fsync never",
    ),
    limitCheck(
      rows,
      "p99 acks=all at 20% of peak ≤ 5 ms",
      "chronik.latency_20",
      (m) => m.metrics.latencyMs?.p99,
      "ms",
      5,
      {
        ...syncLatency,
        pick: (m) => m.metrics.latencyMs?.p99,
        label: "raw fdatasync p99",
      },
    ),
    limitCheck(
      rows,
      "p99.9 acks=all at 20% of peak ≤ 20 ms",
      "chronik.latency_20",
      (m) => m.metrics.latencyMs?.p999,
      "ms",
      20,
      {
        ...syncLatency,
        pick: (m) => m.metrics.latencyMs?.p999,
        label: "raw fdatasync p99.9",
      },
    ),
    ratioCheck(
      rows,
      "consume (fresh) ≥ 0.7 × raw read of the segment files",
      "chronik.consume_fresh",
      CACHED_READ,
      mb,
      "MB/s",
      0.7,
    ),
    ratioCheck(
      rows,
      "consume from disk (kcat) ≥ 0.7 × raw read of the segment files from disk",
      "chronik.consume_cold_kcat",
      "baseline.segment_read_cold",
      mb,
      "MB/s",
      0.7,
    ),
    ratioCheck(
      rows,
      "consume (cached) ≥ 0.7 × raw read of the segment files",
      "chronik.consume_cached",
      CACHED_READ,
      mb,
      "MB/s",
      0.7,
    ),
    ratioCheck(
      rows,
      "consume (cached, kcat) ≥ 0.7 × raw read of the segment files",
      "chronik.consume_cached_kcat",
      CACHED_READ,
      mb,
      "MB/s",
      0.7,
    ),
    ratioCheck(
      rows,
      "acks=all fsync ahead of NATS JetStream (msg/s, same size)",
      "chronik.3n_acksall",
      "baseline.nats_jetstream",
      rps,
      "msg/s",
      1,
    ),
    limitCheck(
      rows,
      "idle CPU with 1,000 partitions ≤ 5% of a core per node (worst node)",
      "chronik.idle_cpu",
      (m) => (m.metrics.perNode?.length ? Math.max(...m.metrics.perNode) : undefined),
      "%",
      5,
    ),
    limitCheck(
      rows,
      "startup to all nodes ready ≤ 2 s",
      "chronik.startup",
      (m) => m.metrics.millis,
      "ms",
      2000,
    ),
    limitCheck(
      rows,
      "failover (SIGKILL leader → next acks=all produce) ≤ 2 s",
      "chronik.failover",
      (m) => m.metrics.millis,
      "ms",
      2000,
    ),
    ...(["sigkill", "sigterm"] as const).flatMap((signal) =>
      [1, 1000].map((partitions) =>
        limitCheck(
          rows,
          `restart after ${signal.toUpperCase()} → ready, 1 node with ${partitions.toLocaleString("en-US")} partition${partitions > 1 ? "s" : ""} ≤ 2 s (median)`,
          `restart.${signal}_${partitions}p`,
          (m) => m.metrics.millis,
          "ms",
          2000,
        ),
      ),
    ),
    limitCheck(
      rows,
      "full-cluster restart (3 nodes SIGKILLed) → all ready ≤ 3 s (median)",
      "restart.full_cluster",
      (m) => m.metrics.millis,
      "ms",
      3000,
    ),
  ];
}
