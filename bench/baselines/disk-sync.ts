// Baseline (b): how many small append + fdatasync pairs the data directory's filesystem does per
// second. This bounds any design that syncs per request instead of per group of requests.
import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type Measurement, measured } from "../result.ts";
import { summarize } from "../stats.ts";

export function diskSyncRate(dir: string, millis: number, appendBytes = 128): Measurement {
  const file = join(dir, `fdatasync-${process.pid}.bin`);
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(appendBytes, 0x61);
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + millis;
  // Bounded by time and by a generous count, so a pathological fs cannot spin forever.
  for (let i = 0; i < 10_000_000; i++) {
    const t0 = performance.now();
    if (t0 >= deadline) break;
    writeSync(fd, chunk);
    fdatasyncSync(fd);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - start) / 1000;
  closeSync(fd);
  unlinkSync(file);
  return measured({
    id: "baseline.fdatasync",
    group: "baseline",
    title: "(b) raw disk: append + fdatasync",
    client: "node fs (sync calls)",
    metrics: { syncsPerSec: latencies.length / seconds, seconds, latencyMs: summarize(latencies) },
    params: { append_bytes: appendBytes, dir },
  });
}
