// Baseline (c): NATS JetStream publish throughput with acks into a file-backed stream, same message
// size, pipelined with a bounded window of unacked publishes, with per-message publish→ack latency.
import { connect, StorageType } from "nats";
import { type Measurement, measured } from "../result.ts";
import { rates, summarize } from "../stats.ts";

export interface NatsOptions {
  servers: string;
  messages: number;
  size: number;
  window?: number;
  timeoutMs?: number;
}

// nats-server's file store fsyncs on a timer (sync_interval, default 2 min); "always" exists only
// from 2.10 on. Below that, an ack means written to the OS, not fsynced.
export function jetStreamSyncNote(version: string): string {
  const [major, minor] = version.split(".").map(Number);
  const configurable = major > 2 || (major === 2 && minor >= 10);
  return configurable
    ? `nats-server ${version}: JetStream fsyncs every sync_interval (default 2m) unless sync_interval: always; this server runs its default, so acks are not per-message fsynced (weaker durability than acks=all + fsync)`
    : `nats-server ${version}: JetStream fsyncs on a fixed 2-minute timer (sync_interval: always arrives in 2.10); acks mean written to the OS page cache, not fsynced (weaker durability than acks=all + fsync)`;
}

export async function natsJetStream(opts: NatsOptions): Promise<Measurement> {
  const window = opts.window ?? 512;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const nc = await connect({ servers: opts.servers, timeout: 3000, maxReconnectAttempts: 0 });
  const name = `CHRONIK_BENCH_${process.pid}_${Date.now()}`;
  const subject = `chronik.bench.${process.pid}.${Date.now()}`;
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name, subjects: [subject], storage: StorageType.File, num_replicas: 1 });
    const js = nc.jetstream();
    const payload = new Uint8Array(opts.size);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) % 251;
    const latencies = new Float64Array(opts.messages);
    let sent = 0;
    let acked = 0;
    let failed: unknown;
    const start = performance.now();
    const deadline = start + timeoutMs;
    await new Promise<void>((resolve, reject) => {
      const pump = () => {
        if (failed) return;
        if (performance.now() > deadline) {
          reject(new Error(`JetStream publish did not finish within ${timeoutMs} ms (${acked} acked)`));
          return;
        }
        while (sent < opts.messages && sent - acked < window) {
          const i = sent++;
          const t0 = performance.now();
          js.publish(subject, payload).then(
            () => {
              latencies[i] = performance.now() - t0;
              acked++;
              if (acked === opts.messages) resolve();
              else pump();
            },
            (err: unknown) => {
              failed = err;
              reject(err);
            },
          );
        }
      };
      pump();
    });
    const seconds = (performance.now() - start) / 1000;
    const version = nc.info?.version ?? "unknown";
    await jsm.streams.delete(name);
    return measured({
      id: "baseline.nats_jetstream",
      group: "baseline",
      title: "(c) NATS JetStream publish, file stream, acked",
      client: `nats.js (nats npm) → nats-server ${version}`,
      metrics: {
        ...rates(opts.messages, opts.messages * opts.size, seconds),
        seconds,
        latencyMs: summarize(latencies),
      },
      params: {
        record_size: opts.size,
        in_flight: window,
        storage: "file",
        replicas: 1,
        messages: opts.messages,
      },
      notes: [jetStreamSyncNote(version)],
    });
  } finally {
    await nc.close();
  }
}
