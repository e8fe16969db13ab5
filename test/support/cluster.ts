import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { waitFor } from "./poll.ts";

const bin = join(import.meta.dirname, "../../data-node/bin/chronik.js");

export interface ClusterOptions {
  nodes: 1 | 3 | 5;
  // Kafka ports are kafkaBase+i, Raft ports kafkaBase+100+i, admin HTTP httpBase+i (i from 0).
  kafkaBase?: number;
  httpBase?: number;
  clusterId?: string;
  // Extra keys merged into every node's TOML (e.g. { broker: { session_timeout_ms: 3000 } }).
  extra?: Record<string, Record<string, unknown>>;
  controlPlaneUrl?: string;
}

export interface TestNode {
  id: number;
  kafkaPort: number;
  raftPort: number;
  httpPort: number;
  configFile: string;
  dataDir: string;
  logFile: string;
  process?: ChildProcess;
}

// Real data-node processes on loopback, each from its own TOML file in a temporary directory.
export class TestCluster {
  readonly dir = mkdtempSync(join(tmpdir(), "chronik-cluster-"));
  readonly nodes: TestNode[];

  constructor(readonly opts: ClusterOptions) {
    const kafkaBase = opts.kafkaBase ?? 9092;
    const httpBase = opts.httpBase ?? 8081;
    this.nodes = Array.from({ length: opts.nodes }, (_, i) => ({
      id: i + 1,
      kafkaPort: kafkaBase + i,
      raftPort: kafkaBase + 100 + i,
      httpPort: httpBase + i,
      configFile: join(this.dir, `node${i + 1}.toml`),
      dataDir: join(this.dir, `node${i + 1}`),
      logFile: join(this.dir, `node${i + 1}.log`),
    }));
    for (const n of this.nodes) writeFileSync(n.configFile, this.configText(n));
  }

  configText(n: TestNode, peers = this.nodes): string {
    const rf = Math.min(3, this.opts.nodes);
    const doc: Record<string, unknown> = {
      node_id: n.id,
      cluster_id: this.opts.clusterId ?? "test",
      data_dir: n.dataDir,
      kafka: { listen: `127.0.0.1:${n.kafkaPort}` },
      raft: { listen: `127.0.0.1:${n.raftPort}` },
      http: { listen: `127.0.0.1:${n.httpPort}` },
      topic_defaults: { replication_factor: rf },
      groups: { offsets_replication_factor: rf, offsets_partitions: 4 },
      ...(this.opts.controlPlaneUrl ? { control_plane: { url: this.opts.controlPlaneUrl } } : {}),
      peers: peers.map((p) => ({ id: p.id, addr: `127.0.0.1:${p.kafkaPort}`, raft_port: p.raftPort })),
    };
    for (const [section, values] of Object.entries(this.opts.extra ?? {})) {
      doc[section] = { ...(doc[section] as Record<string, unknown>), ...values };
    }
    return stringify(doc);
  }

  node(id: number): TestNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  get bootstrap(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.kafkaPort}`).join(",");
  }

  start(id: number, env: Record<string, string> = {}): TestNode {
    const n = this.node(id);
    mkdirSync(n.dataDir, { recursive: true });
    const log = createWriteStream(n.logFile, { flags: "a" });
    const child = spawn(process.execPath, [bin, "node", "--config", n.configFile], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        UV_THREADPOOL_SIZE: "16",
        LOG_LEVEL: process.env.CHRONIK_TEST_LOG_LEVEL ?? "info",
        ...env,
      },
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    n.process = child;
    return n;
  }

  async startAll(): Promise<void> {
    for (const n of this.nodes) this.start(n.id);
    await Promise.all(this.nodes.map((n) => this.waitReady(n.id)));
  }

  async readiness(
    id: number,
  ): Promise<{ status: number; body: { ready: boolean; waiting_for: string[] } } | undefined> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.node(id).httpPort}/health/ready`, {
        signal: AbortSignal.timeout(1000),
      });
      return { status: res.status, body: (await res.json()) as { ready: boolean; waiting_for: string[] } };
    } catch {
      return undefined;
    }
  }

  async waitReady(id: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `node ${id} /health/ready (log: ${this.node(id).logFile})`,
      async () => (await this.readiness(id))?.status === 200,
      {
        timeoutMs,
      },
    );
  }

  async adminJson<T>(id: number, path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`http://127.0.0.1:${this.node(id).httpPort}${path}`, {
      signal: AbortSignal.timeout(2000),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  // SIGKILL: no shutdown path runs, unsynced data is lost as on a crash.
  async kill(id: number): Promise<void> {
    await this.signal(id, "SIGKILL");
  }

  async stop(id: number): Promise<void> {
    await this.signal(id, "SIGTERM");
  }

  private async signal(id: number, sig: NodeJS.Signals): Promise<void> {
    const p = this.node(id).process;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill(sig);
    await exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.id)));
  }

  log(id: number): string {
    try {
      return readFileSync(this.node(id).logFile, "utf8");
    } catch {
      return "";
    }
  }
}
