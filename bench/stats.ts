import type { Latency } from "./result.ts";

// Nearest-rank percentiles over latency samples (milliseconds). Sorts a copy.
export function summarize(samples: ArrayLike<number>): Latency | undefined {
  const n = samples.length;
  if (n === 0) return undefined;
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  return {
    avg: sum / n,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    p999: at(0.999),
    max: sorted[n - 1],
    count: n,
  };
}

// The middle value (the mean of the two middle ones for an even count); NaN when empty.
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const MIB = 1024 * 1024;

export function rates(
  records: number,
  bytes: number,
  seconds: number,
): { recordsPerSec: number; mbPerSec: number } {
  if (seconds <= 0) return { recordsPerSec: 0, mbPerSec: 0 };
  return { recordsPerSec: records / seconds, mbPerSec: bytes / MIB / seconds };
}
