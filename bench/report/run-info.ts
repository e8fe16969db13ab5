import { cpus, loadavg, release } from "node:os";

export interface RunInfo {
  startedAt: string;
  finishedAt: string;
  profile: string;
  command: string;
  host: { cpus: number; cpuModel: string; kernel: string; node: string };
  // 1-minute load average when the run started and ended: how noisy the shared machine was.
  load: { start: number; end: number };
}

export function load1(): number {
  return loadavg()[0];
}

export function hostInfo(): RunInfo["host"] {
  const c = cpus();
  return { cpus: c.length, cpuModel: c[0]?.model ?? "unknown", kernel: release(), node: process.version };
}
