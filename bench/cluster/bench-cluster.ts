// A chronik cluster for one scenario: real node processes (through the test suite's TestCluster:
// TOML configs in a temp dir, `chronik node --config`), on their own free ports and data dirs.
// Readiness is polled on /health/ready; a node that exits while starting fails the start at once.
import { spawn } from "node:child_process";
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { type ClusterOptions, TestCluster, type TestNode } from "../../test/support/cluster.ts";
import { findPortBase } from "./ports.ts";

// The node executable; CHRONIK_BENCH_NODE_BIN points the bench at another build of it.
const defaultBin =
  process.env.CHRONIK_BENCH_NODE_BIN ?? join(import.meta.dirname, "../../data-node/bin/chronik.js");
// Flags for Node itself in every node process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". With any
// set, clusters are stopped with SIGTERM so that Node writes what the flags ask for on exit.
const nodeArgs = (process.env.CHRONIK_BENCH_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);

// TestCluster's configs and readiness probe, with the executable chosen by the bench.
class BenchTestCluster extends TestCluster {
  constructor(
    opts: ClusterOptions,
    private readonly bin: string,
  ) {
    super(opts);
  }

  override start(id: number, env: Record<string, string> = {}): TestNode {
    const n = this.node(id);
    mkdirSync(n.dataDir, { recursive: true });
    const log = createWriteStream(n.logFile, { flags: "a" });
    const child = spawn(process.execPath, [...nodeArgs, this.bin, "node", "--config", n.configFile], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        UV_THREADPOOL_SIZE: "16",
        LOG_LEVEL: process.env.CHRONIK_BENCH_LOG_LEVEL ?? "info",
        ...env,
      },
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    n.process = child;
    return n;
  }
}

export class ClusterNotReady extends Error {}

export class BenchCluster {
  private constructor(readonly inner: TestCluster) {}

  static async create(
    nodes: 1 | 3,
    clusterId: string,
    bin = defaultBin,
    fsync: "always" | "never" = "always",
    storage: Record<string, unknown> = {},
  ): Promise<BenchCluster> {
    const base = await findPortBase(nodes);
    const opts: ClusterOptions = {
      nodes,
      kafkaBase: base,
      httpBase: base + 200,
      clusterId,
      extra: { storage: { fsync, ...storage } },
    };
    return new BenchCluster(new BenchTestCluster(opts, bin));
  }

  get bootstrap(): string {
    return this.inner.bootstrap;
  }

  bootstrapList(except: number[] = []): string[] {
    return this.inner.nodes.filter((n) => !except.includes(n.id)).map((n) => `127.0.0.1:${n.kafkaPort}`);
  }

  get ids(): number[] {
    return this.inner.nodes.map((n) => n.id);
  }

  adminUrl(id: number): string {
    return `http://127.0.0.1:${this.inner.node(id).httpPort}`;
  }

  pid(id: number): number {
    const pid = this.inner.node(id).process?.pid;
    if (pid === undefined) throw new Error(`node ${id} is not running`);
    return pid;
  }

  // Spawns the nodes (every node unless told which); returns the milliseconds from the first spawn to
  // the last node ready, and to each node's readiness.
  async start(timeoutMs: number, ids = this.ids): Promise<{ allReadyMs: number; perNodeMs: number[] }> {
    const t0 = performance.now();
    const readyAt = new Map<number, number>();
    for (const id of ids) this.inner.start(id);
    const pending = new Set(ids);
    const deadline = t0 + timeoutMs;
    let lastWaiting = "";
    while (pending.size > 0) {
      for (const id of ids) {
        const p = this.inner.node(id).process;
        if (p && (p.exitCode !== null || p.signalCode !== null)) {
          throw new ClusterNotReady(
            `cluster did not become ready: node ${id} exited (${p.exitCode ?? p.signalCode}) while starting: ${this.logTail(id)}`,
          );
        }
      }
      const checks = await Promise.all(
        [...pending].map(async (id) => [id, await this.inner.readiness(id)] as const),
      );
      for (const [id, r] of checks) {
        if (r?.status === 200) {
          pending.delete(id);
          readyAt.set(id, performance.now() - t0);
        } else if (r)
          lastWaiting = `node ${id} waiting for ${(r.body?.waiting_for ?? []).join(", ") || `HTTP ${r.status}`}`;
      }
      if (pending.size === 0) break;
      if (performance.now() > deadline) {
        throw new ClusterNotReady(
          `cluster did not become ready within ${timeoutMs} ms (not ready: ${[...pending].join(", ")}${lastWaiting ? `; ${lastWaiting}` : ""})`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return { allReadyMs: performance.now() - t0, perNodeMs: ids.map((id) => readyAt.get(id) ?? 0) };
  }

  kill(id: number): Promise<void> {
    return this.inner.kill(id);
  }

  // SIGTERM (a controlled shutdown) and wait for the exit; returns how long the node took. A node
  // still running after timeoutMs is SIGKILLed and the step fails, so a hung shutdown cannot hang the run.
  async stop(id: number, timeoutMs: number): Promise<number> {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((r) => {
      timer = setTimeout(() => r("expired"), timeoutMs);
    });
    const outcome = await Promise.race([this.inner.stop(id).then(() => "exited" as const), expired]);
    clearTimeout(timer);
    if (outcome === "expired") {
      await this.inner.kill(id);
      throw new Error(`node ${id} did not exit within ${timeoutMs} ms of SIGTERM (SIGKILLed)`);
    }
    return performance.now() - t0;
  }

  logTail(id: number): string {
    const lines = this.inner.log(id).trim().split("\n").filter(Boolean);
    return lines.slice(-2).join(" | ").slice(0, 300) || "(empty log)";
  }

  // Kills the nodes and removes their data. With keepLogs, the node logs are first copied to a
  // fresh temp dir, whose path is returned, so a failed scenario can be diagnosed.
  async destroy(keepLogs = false): Promise<string | undefined> {
    if (nodeArgs.length > 0) await Promise.all(this.ids.map((id) => this.inner.stop(id)));
    await this.inner.stopAll();
    let kept: string | undefined;
    if (keepLogs) {
      kept = mkdtempSync(join(tmpdir(), "chronik-bench-logs-"));
      for (const n of this.inner.nodes)
        if (existsSync(n.logFile)) copyFileSync(n.logFile, join(kept, basename(n.logFile)));
    }
    rmSync(this.inner.dir, { recursive: true, force: true });
    return kept;
  }
}
