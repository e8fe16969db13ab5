#!/usr/bin/env node
// Measures process start → /health/ready for 1 or 3 data nodes, several runs, on free ephemeral ports
// so it never collides with a cluster on chronik's fixed ports.
// usage: node data-node/build/measure-startup.mjs [--nodes 1|3] [--runs N] [--env K=V]... [--bin FILE]
//        [--logs DIR] (keeps each node's log as DIR/run<R>-node<N>.log)
//        [--control-plane] (also starts a control plane with embedded PGlite, as `chronik dev` does)
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "1" },
    runs: { type: "string", default: "5" },
    env: { type: "string", multiple: true, default: [] },
    bin: { type: "string", default: join(root, "data-node/bin/chronik.js") },
    logs: { type: "string" },
    "control-plane": { type: "boolean", default: false },
  },
});
const files = values.nodes === "3" ? [1, 2, 3].map((n) => `node${n}-cluster.toml`) : ["single-node.toml"];
const extraEnv = Object.fromEntries(
  values.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function portMap() {
  const map = new Map();
  for (const p of [8080, 8081, 8082, 8083, 9092, 9093, 9094, 9192, 9193, 9194]) map.set(p, await freePort());
  return map;
}

function shifted(file, dir, ports) {
  const text = readFileSync(join(root, "config", file), "utf8")
    .replace(/127\.0\.0\.1:(\d{4})\b/g, (_, p) => `127.0.0.1:${ports.get(Number(p))}`)
    .replace(/raft_port = (\d{4})\b/g, (_, p) => `raft_port = ${ports.get(Number(p))}`);
  const out = join(dir, file);
  writeFileSync(out, text);
  const http = Number(/\[http\]\s*\nlisten = "127\.0\.0\.1:(\d+)"/.exec(text)[1]);
  return { config: out, http };
}

// CPU time (user + sys) a process has used so far, from /proc: unlike wall time, barely moved by
// other load on a shared machine.
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

async function ready(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on("exit", resolve);
    child.kill("SIGTERM");
  });
}

async function run(r) {
  const dir = mkdtempSync(join(tmpdir(), "chronik-startup-"));
  const ports = await portMap();
  const nodes = files.map((f) => shifted(f, dir, ports));
  const env = { ...process.env, ...extraEnv };
  delete env.DATABASE_URL;
  const t0 = performance.now();
  const children = nodes.map((n, i) =>
    spawn(process.execPath, [values.bin, "node", "--config", n.config, "--data-dir", join(dir, `d${i}`)], {
      stdio: values.logs
        ? ["ignore", openSync(join(values.logs, `run${r}-node${i + 1}.log`), "w"), "inherit"]
        : "ignore",
      env,
    }),
  );
  if (values["control-plane"]) {
    const args = ["control-plane", "--port", String(ports.get(8080)), "--data-dir", join(dir, "cp")];
    children.push(spawn(process.execPath, [values.bin, ...args], { stdio: "ignore", env }));
  }
  const times = nodes.map(() => undefined);
  const cpu = nodes.map(() => Number.NaN);
  const deadline = t0 + 60_000;
  while (times.some((t) => t === undefined) && performance.now() < deadline) {
    await Promise.all(
      nodes.map(async (n, i) => {
        if (times[i] === undefined && (await ready(n.http))) {
          times[i] = performance.now() - t0;
          cpu[i] = cpuMs(children[i].pid);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(children.map(stop));
  rmSync(dir, { recursive: true, force: true });
  return { times, cpu };
}

const runs = Number(values.runs);
if (values.logs) mkdirSync(values.logs, { recursive: true });
const all = [];
const cpuAll = [];
for (let i = 0; i < runs; i++) {
  const load = loadavg()[0].toFixed(2);
  const { times, cpu } = await run(i + 1);
  all.push(Math.max(...times));
  cpuAll.push(...cpu);
  console.log(
    `run ${i + 1}: load ${load}  ready ms ${times.map((t) => (t === undefined ? "timeout" : t.toFixed(0))).join(" ")}  all ${Math.max(...times).toFixed(0)}  cpu ms ${cpu.join(" ")}`,
  );
}
all.sort((a, b) => a - b);
cpuAll.sort((a, b) => a - b);
console.log(
  `all-ready ms: min ${all[0].toFixed(0)} median ${all[Math.floor(all.length / 2)].toFixed(0)} max ${all.at(-1).toFixed(0)}`,
);
console.log(
  `cpu ms per node to ready: min ${cpuAll[0]} median ${cpuAll[Math.floor(cpuAll.length / 2)]} max ${cpuAll.at(-1)}`,
);
