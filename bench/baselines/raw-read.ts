// Raw read of segment-file bytes, the ceiling for consume: write a file, read it once to warm the
// page cache, then time a second sequential read in 1 MiB chunks.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type Measurement, measured } from "../result.ts";
import { rates } from "../stats.ts";

export function rawRead(dir: string, totalBytes: number, recordSize: number): Measurement {
  const file = join(dir, `raw-read-${process.pid}.bin`);
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) % 251;
  const chunks = Math.max(1, Math.floor(totalBytes / chunk.length));
  const wfd = openSync(file, "w");
  for (let i = 0; i < chunks; i++) writeSync(wfd, chunk);
  closeSync(wfd);
  const readAll = (): number => {
    const fd = openSync(file, "r");
    let total = 0;
    for (let i = 0; i < chunks + 1; i++) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
    }
    closeSync(fd);
    return total;
  };
  readAll();
  const start = performance.now();
  const bytes = readAll();
  const seconds = (performance.now() - start) / 1000;
  unlinkSync(file);
  return measured({
    id: "baseline.raw_read",
    group: "baseline",
    title: "raw read of file bytes (page cache)",
    client: "node fs readSync, 1 MiB chunks",
    metrics: { ...rates(bytes / recordSize, bytes, seconds), seconds },
    params: { bytes, record_size: recordSize },
  });
}
