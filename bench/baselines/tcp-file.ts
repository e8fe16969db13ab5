// Baseline (a), the physical path: the same bytes a producer would send (1 KiB records in 64 KiB
// batches) over loopback TCP from this process into a file written by another process, with and
// without fdatasync per batch. Every batch is acked by the writer, so the figure is end to end.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type Measurement, measured } from "../result.ts";
import { rates, summarize } from "../stats.ts";

export interface TcpFileOptions {
  dir: string;
  totalBytes: number;
  batchBytes: number;
  recordSize: number;
  sync: boolean;
  // Batches in flight before waiting for acks (a Kafka producer keeps several requests in flight).
  window?: number;
  timeoutMs?: number;
}

const sinkScript = join(import.meta.dirname, "file-sink.ts");

export async function tcpToFile(opts: TcpFileOptions): Promise<Measurement> {
  const window = opts.window ?? 16;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const file = join(opts.dir, `tcp-file-${process.pid}-${opts.sync ? "sync" : "nosync"}.bin`);
  const child = spawn(
    process.execPath,
    ["--import", "tsx", sinkScript, file, opts.sync ? "sync" : "nosync"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  try {
    const first = await withTimeout(lines.next(), 15_000, "file sink did not report its port");
    const { port } = JSON.parse(String(first.value)) as { port: number };

    const batches = Math.max(1, Math.floor(opts.totalBytes / opts.batchBytes));
    const frame = Buffer.alloc(4 + opts.batchBytes);
    frame.writeUInt32BE(opts.batchBytes, 0);
    for (let i = 4; i < frame.length; i++) frame[i] = (i * 31 + 7) % 251;

    const socket = connect({ host: "127.0.0.1", port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const sentAt = new Float64Array(batches);
    const latencies = new Float64Array(batches);
    let sent = 0;
    let acked = 0;
    let ackBytes = 0;
    const start = performance.now();
    const done = new Promise<void>((resolve, reject) => {
      const pump = () => {
        while (sent < batches && sent - acked < window) {
          sentAt[sent] = performance.now();
          sent++;
          socket.write(frame);
        }
      };
      socket.on("data", (chunk: Buffer) => {
        ackBytes += chunk.length;
        const now = performance.now();
        while (acked < Math.floor(ackBytes / 4)) {
          latencies[acked] = now - sentAt[acked];
          acked++;
        }
        if (acked === batches) resolve();
        else pump();
      });
      socket.on("error", reject);
      pump();
    });
    await withTimeout(done, timeoutMs, "tcp→file baseline did not finish");
    const seconds = (performance.now() - start) / 1000;
    socket.end();
    await withTimeout(lines.next(), 15_000, "file sink did not finish");
    const bytes = batches * opts.batchBytes;
    const records = bytes / opts.recordSize;
    return measured({
      id: opts.sync ? "baseline.tcp_file_sync" : "baseline.tcp_file",
      group: "baseline",
      title: `(a) loopback TCP → file${opts.sync ? ", fdatasync per batch" : ", no fsync"}`,
      client: "node net → node fs (2 processes)",
      metrics: { ...rates(records, bytes, seconds), seconds, latencyMs: summarize(latencies) },
      params: {
        record_size: opts.recordSize,
        batch_bytes: opts.batchBytes,
        in_flight_batches: window,
        fsync: opts.sync ? "per batch" : "none",
        bytes,
      },
      notes: ["latency is per batch: send → writer's ack"],
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
