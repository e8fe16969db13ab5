// The human report: targets first ("measured / target", next to the same-run baseline), then every
// measurement in the kafka-producer-perf-test shape, then notes and what did not run.
import type { Measurement } from "../result.ts";
import { median } from "../stats.ts";
import type { RunInfo } from "./run-info.ts";
import { type Check, fmt } from "./targets.ts";

const cell = (v: unknown): string => String(v ?? "").replaceAll("|", "\\|");
const num = (v: number | undefined, digits = 1): string => (v === undefined ? "" : fmt(v, digits));
const ms = (v: number | undefined): string => (v === undefined ? "" : v < 10 ? v.toFixed(2) : fmt(v, 1));

function verdict(c: Check): string {
  if (c.pass === undefined) return "not run";
  return c.pass ? "meets" : "misses";
}

function headline(m: Measurement): string {
  const x = m.metrics;
  if (x.phasesMs) {
    return Object.entries(x.phasesMs)
      .map(([phase, v]) => `${phase} ${fmt(median(v), 0)} ms (${v.map((n) => fmt(n, 0)).join(", ")})`)
      .join("; ");
  }
  if (x.millis !== undefined) {
    const nodes = x.perNode
      ? ` (${x.perNode.map((v, i) => `node ${i + 1}: ${fmt(v, 0)} ms`).join(", ")})`
      : "";
    return `${fmt(x.millis, 0)} ms${nodes}`;
  }
  if (x.perNode) return x.perNode.map((v, i) => `node ${i + 1}: ${v.toFixed(2)}%`).join(", ");
  if (x.syncsPerSec !== undefined) return `${fmt(x.syncsPerSec)} syncs/s`;
  return "";
}

export function markdown(info: RunInfo, rows: Measurement[], checks: Check[], chartFile: string): string {
  const out: string[] = [];
  out.push(`# chronik bench — ${info.startedAt}`, "");
  out.push(
    `Profile **${info.profile}**, command \`${info.command}\`, ${info.host.cpus} × ${info.host.cpuModel}, Linux ${info.host.kernel}, Node ${info.host.node}. ` +
      `Finished ${info.finishedAt}; 1-min load average ${info.load.start.toFixed(1)} at start, ${info.load.end.toFixed(1)} at end. MB = 2^20 bytes. Every ratio is against a baseline measured in this same run (shared, noisy machine).`,
    "",
  );
  out.push(`![throughput and latency](${chartFile})`, "");
  out.push(
    "## Targets",
    "",
    "| target | measured | baseline (same run) | measured / target | verdict |",
    "|---|---|---|---|---|",
  );
  for (const c of checks) {
    out.push(
      `| ${cell(c.target)} | ${cell(c.measuredText)} | ${cell(c.baselineText)} | ${cell(c.verdictText)}${c.context ? `<br>${cell(c.context)}` : ""} | ${verdict(c)}${c.reason ? ` — ${cell(c.reason)}` : ""} |`,
    );
  }
  out.push("", "## Measurements", "");
  out.push(
    "| step | client | records/s | MB/s | avg ms | p50 | p95 | p99 | p99.9 | max | other | record size | batch / linger | acks | compression | partitions | nodes |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const m of rows) {
    if (m.status !== "ok") continue;
    const l = m.metrics.latencyMs;
    const p = m.params;
    out.push(
      `| ${cell(m.title)} | ${cell(m.client)} | ${num(m.metrics.recordsPerSec, 0)} | ${num(m.metrics.mbPerSec)} | ${ms(l?.avg)} | ${ms(l?.p50)} | ${ms(l?.p95)} | ${ms(l?.p99)} | ${ms(l?.p999)} | ${ms(l?.max)} | ${cell(headline(m))} | ${cell(p.record_size ?? p.append_bytes ?? "")} | ${cell(p.batch ?? p.batch_bytes ?? "")} | ${cell(p.acks ?? "")} | ${cell(p.compression ?? "")} | ${cell(p.partitions ?? "")} | ${cell(p.nodes ?? "")} |`,
    );
  }
  const skipped = rows.filter((m) => m.status !== "ok");
  if (skipped.length > 0) {
    out.push("", "## Not run", "", "| step | reason |", "|---|---|");
    for (const m of skipped) out.push(`| ${cell(m.title)} | not run: ${cell(m.reason)} |`);
  }
  const notes = rows.filter((m) => m.notes?.length);
  if (notes.length > 0) {
    out.push("", "## Notes", "");
    for (const m of notes) for (const n of m.notes ?? []) out.push(`- ${m.title}: ${n}`);
  }
  out.push("", "## Parameters", "");
  for (const m of rows)
    out.push(
      `- \`${m.id}\`: ${
        Object.entries(m.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ") || "—"
      }`,
    );
  out.push("");
  return out.join("\n");
}
