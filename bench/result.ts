// What every bench step hands to the report: one measurement per row, with the client that made the
// load and the parameters it ran with, or a "not run" row saying why.

export interface Latency {
  avg: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  count: number;
}

export interface Metrics {
  recordsPerSec?: number;
  mbPerSec?: number;
  syncsPerSec?: number;
  seconds?: number;
  latencyMs?: Latency;
  // One figure per node, e.g. idle CPU as a percentage of one core.
  perNode?: number[];
  // A single duration, e.g. startup-to-ready or failover, in milliseconds.
  millis?: number;
  // A repeated step's durations by phase (e.g. ready, produce), one figure per repetition, in ms.
  phasesMs?: Record<string, number[]>;
}

export type Params = Record<string, string | number | boolean>;

export interface Measurement {
  id: string;
  group: "baseline" | "chronik";
  title: string;
  client: string;
  status: "ok" | "not run";
  reason?: string;
  metrics: Metrics;
  params: Params;
  notes?: string[];
}

export function measured(m: Omit<Measurement, "status">): Measurement {
  return { ...m, status: "ok" };
}

export function notRun(
  id: string,
  group: Measurement["group"],
  title: string,
  reason: string,
  params: Params = {},
): Measurement {
  return { id, group, title, client: "-", status: "not run", reason, metrics: {}, params };
}

export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0].slice(0, 300);
}
