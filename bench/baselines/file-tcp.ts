// The physical consume path, for context next to the raw read: the same bytes read from a cached
// file in one process and streamed over loopback TCP into another (this one), which counts them.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type Measurement, measured } from "../result.ts";
import { rates } from "../stats.ts";
import { withTimeout } from "./tcp-file.ts";

const sourceScript = join(import.meta.dirname, "file-source.ts");

export async function fileToTcp(
  dir: string,
  totalBytes: number,
  recordSize: number,
  timeoutMs = 120_000,
): Promise<Measurement> {
  const file = join(dir, `file-tcp-${process.pid}.bin`);
  const child = spawn(process.execPath, ["--import", "tsx", sourceScript, file, String(totalBytes)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  try {
    const first = await withTimeout(lines.next(), 60_000, "file source did not report its port");
    const { port } = JSON.parse(String(first.value)) as { port: number };
    const socket = connect({ host: "127.0.0.1", port });
    let bytes = 0;
    const start = performance.now();
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.on("data", (d: Buffer) => {
          bytes += d.length;
        });
        socket.on("end", resolve);
        socket.on("error", reject);
      }),
      timeoutMs,
      "file → TCP baseline did not finish",
    );
    const seconds = (performance.now() - start) / 1000;
    socket.destroy();
    return measured({
      id: "baseline.file_tcp",
      group: "baseline",
      title: "physical consume path: cached file → loopback TCP",
      client: "node fs → node net (2 processes)",
      metrics: { ...rates(bytes / recordSize, bytes, seconds), seconds },
      params: { bytes, record_size: recordSize, read_bytes: 1024 * 1024 },
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
