// Raw read of a topic's segment files: the ceiling the consume figures are held against. Reads the
// same bytes the consumers fetch (one replica's copy of every partition), sequentially in 1 MiB
// chunks, either from disk (after dropping the page cache) or from the page cache.
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Measurement, measured } from "../result.ts";
import { rates } from "../stats.ts";

// Undefined once the page cache is dropped; otherwise why it could not be (it needs root).
export function dropPageCache(): string | undefined {
  try {
    execFileSync("sync");
    writeFileSync("/proc/sys/vm/drop_caches", "1");
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return `cannot drop the page cache (${code} writing /proc/sys/vm/drop_caches; needs root)`;
  }
}

// The segment files of `topic` under a node's data dir, in partition and segment order.
export function segmentFiles(dataDir: string, topic: string): string[] {
  const root = join(dataDir, "partitions");
  const dirs = readdirSync(root)
    .filter((d) => d.startsWith(`${topic}-`) && /^\d+-[0-9a-f]+$/.test(d.slice(topic.length + 1)))
    .sort();
  return dirs.flatMap((d) =>
    readdirSync(join(root, d))
      .filter((f) => f.endsWith(".log"))
      .sort()
      .map((f) => join(root, d, f)),
  );
}

export function segmentRead(
  id: string,
  title: string,
  files: string[],
  recordSize: number,
  params: Record<string, string | number>,
): Measurement {
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  const start = performance.now();
  let bytes = 0;
  for (const file of files) {
    const fd = openSync(file, "r");
    try {
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) bytes += n;
    } finally {
      closeSync(fd);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return measured({
    id,
    group: "baseline",
    title,
    client: "node fs readSync, 1 MiB chunks",
    metrics: { ...rates(bytes / recordSize, bytes, seconds), seconds },
    params: { ...params, files: files.length, bytes, record_size: recordSize },
  });
}
