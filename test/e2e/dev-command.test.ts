import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, test } from "vitest";
import { waitFor } from "../support/poll.ts";
import { createTopic } from "./clients/support/admin.ts";
import { kcatProduce, kcatRead } from "./clients/support/kcat.ts";

// `chronik dev` (what `npm start` runs) as a user runs it: the fixed ports of config/node*-cluster.toml
// and the control plane on 8080. A node killed after the cluster came up leaves the rest running,
// and the command dev prints brings it back.

const root = resolve(import.meta.dirname, "../..");
const ports = [8080, 8081, 8082, 8083, 9092, 9093, 9094, 9192, 9193, 9194];

interface Dev {
  process: ChildProcess;
  output: string;
  // Where its data, logs and captured output go, to read when an assertion fails.
  dir: string;
}
const devs: Dev[] = [];
let restarted: ChildProcess | undefined;
const childPids = (dev: Dev) => [...dev.output.matchAll(/: starting, pid (\d+)/g)].map((m) => Number(m[1]));

afterAll(async () => {
  // By pid only: dev's children, the node restarted by hand (its process group: sh and node), dev.
  for (const dev of devs) for (const pid of [...childPids(dev), dev.process.pid]) signal(pid, "SIGKILL");
  if (restarted?.pid) signal(-restarted.pid, "SIGKILL");
});

function startDev(): Dev {
  const dir = mkdtempSync(join(tmpdir(), "chronik-dev-"));
  const child = spawn(process.execPath, [join(root, "data-node/bin/chronik.js"), "dev", "--data-dir", dir], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const dev: Dev = { process: child, output: "", dir };
  devs.push(dev);
  capture(child, join(dir, "dev.out"), (text) => (dev.output += text));
  return dev;
}

function exitCode(p: ChildProcess): Promise<number | null> {
  return new Promise((r) => (p.exitCode !== null ? r(p.exitCode) : p.once("exit", (code) => r(code))));
}

function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  try {
    if (pid) process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

function alive(p: ChildProcess): boolean {
  return p.exitCode === null && p.signalCode === null;
}

function capture(p: ChildProcess, file: string, onText?: (text: string) => void): void {
  const log = createWriteStream(file);
  for (const stream of [p.stdout, p.stderr])
    stream?.on("data", (chunk: Buffer) => {
      log.write(chunk);
      onText?.(chunk.toString("utf8"));
    });
}

async function status(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return undefined;
  }
}

async function controlPlaneHealth(): Promise<{ status: string; nodes_down: number[] } | undefined> {
  try {
    const res = await fetch("http://127.0.0.1:8080/cluster/health", { signal: AbortSignal.timeout(2000) });
    return (await res.json()) as { status: string; nodes_down: number[] };
  } catch {
    return undefined;
  }
}

async function expectPortsFree(when: string): Promise<void> {
  for (const port of ports) expect(await portFree(port), `port ${port} in use ${when}`).toBe(true);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const server = createServer();
    server.once("error", () => res(false));
    server.listen(port, "127.0.0.1", () => server.close(() => res(true)));
  });
}

test("a node that cannot start stops the rest: dev shows why and exits 1", async () => {
  await expectPortsFree("before the test");
  // Node 3's Kafka port is taken.
  const squatter = createServer();
  await new Promise<void>((r) => squatter.listen(9094, "127.0.0.1", r));
  try {
    const dev = startDev();
    expect(await exitCode(dev.process)).toBe(1);
    expect(dev.output).toMatch(
      /chronik dev: node 3 \(pid \d+\) exited with code 1 before the cluster was ready/,
    );
    expect(dev.output).toContain("EADDRINUSE: address already in use 127.0.0.1:9094");
    expect(dev.output).toContain("stopping the rest, as the cluster never came up");
    for (const pid of childPids(dev))
      expect(() => process.kill(pid, 0), `pid ${pid} still running`).toThrow();
  } finally {
    await new Promise((r) => squatter.close(r));
  }
});

test("a node killed after the cluster came up leaves the rest running; its printed restart command brings it back; Ctrl-C stops dev's children", async () => {
  await expectPortsFree("before the test");
  const dev = startDev();
  const see = `(output: ${join(dev.dir, "dev.out")})`;
  await waitFor(
    `chronik dev to say the nodes are ready ${see}`,
    () => dev.output.includes("3 node(s) ready"),
    {
      timeoutMs: 60_000,
    },
  );
  const pid3 = Number(/^node 3: starting, pid (\d+)/m.exec(dev.output)?.[1]);
  expect(pid3).toBeGreaterThan(0);

  // Created while all three run, so its three replicas include node 3.
  const topic = "dev-failover";
  const survivors = "127.0.0.1:9092,127.0.0.1:9093";
  await createTopic(survivors, topic, 1, 3);
  process.kill(pid3, "SIGKILL");

  await waitFor(`dev to report node 3's death ${see}`, () => /^node 3: down/m.test(dev.output));
  expect(alive(dev.process)).toBe(true);
  expect(dev.output).toContain(`chronik dev: node 3 (pid ${pid3}) was killed by SIGKILL`);
  const command = /To restart node 3, .*\n {2}(.+)\n/.exec(dev.output)?.[1];
  expect(command).toContain(`--config ${join(root, "config/node3-cluster.toml")}`);
  expect(command).toContain(`--data-dir ${join(dev.dir, "node3")}`);

  for (const port of [8081, 8082])
    await waitFor(
      `node on ${port} ready`,
      async () => (await status(`http://127.0.0.1:${port}/health/ready`)) === 200,
    );
  // acks=all: the two live replicas of three are a majority, whichever node led the partition.
  const sent = [{ seq: 0, key: "k", value: `after-kill-${Date.now()}` }];
  await kcatProduce(survivors, topic, sent);
  const read = await kcatRead(survivors, topic, 1);
  expect(read.map((r) => r.value)).toEqual([sent[0].value]);

  // Fenced after the 6 s session timeout, then pushed to the control plane within its 2 s interval.
  const degraded = await waitFor(
    "the control plane to report the cluster degraded with node 3 down",
    async () => {
      const h = await controlPlaneHealth();
      if (h?.status === "degraded" && h.nodes_down.includes(3)) return h;
      // What the deadline's message shows, should it pass.
      throw new Error(`control plane health: ${JSON.stringify(h)?.slice(0, 600)}`);
    },
    { timeoutMs: 45_000 },
  );
  expect(degraded.nodes_down).toEqual([3]);

  // As the user would paste it into another terminal.
  restarted = spawn("sh", ["-c", command!], { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  capture(restarted, join(dev.dir, "node3-by-hand.out"));
  await waitFor(
    "the restarted node 3 ready",
    async () => (await status("http://127.0.0.1:8083/health/ready")) === 200,
    { timeoutMs: 60_000 },
  );
  const afterDeath = () => dev.output.slice(dev.output.indexOf("was killed by SIGKILL"));
  await waitFor(`dev to say node 3 is ready again ${see}`, () => /^node 3: ready/m.test(afterDeath()));
  expect(alive(dev.process)).toBe(true);
  process.kill(-restarted.pid!, "SIGTERM");
  await waitFor("node 3 started by hand to stop", async () => await portFree(9094));

  dev.process.kill("SIGINT");
  expect(await exitCode(dev.process)).toBe(0);
  for (const pid of childPids(dev)) expect(() => process.kill(pid, 0), `pid ${pid} still running`).toThrow();
  await expectPortsFree("after dev stopped");
  // Nothing at error level reached the terminal, the kill and the stop included.
  expect(dev.output).not.toMatch(/"level":(50|60)/);
});
