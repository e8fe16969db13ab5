import { join, resolve } from "node:path";
import { parseHostPort } from "../../../shared/config/address.ts";
import { advertisedKafka } from "../../../shared/config/endpoints.ts";
import { ConfigError } from "../../../shared/config/issues.ts";
import { loadNodeConfig } from "../../../shared/config/load.ts";
import type { NodeConfig } from "../../../shared/config/schema.ts";
import { parseCommandArgs } from "./args.ts";
import { type Child, startChronik, stopChild } from "./dev/child.ts";
import { readReady, stageOf } from "./dev/readiness.ts";

const help = `usage: chronik dev [--nodes 1|3] [--data-dir DIR]

Starts a local cluster as child processes from config/node{1,2,3}-cluster.toml (or
config/single-node.toml with --nodes 1) plus the control plane on http://127.0.0.1:8080
(embedded PGlite), shows each node's progress (starting → leader known → registered → ready),
prints the bootstrap servers once all are ready, and stops everything on Ctrl-C.
Data and logs go to DIR (default ./data).`;

const configDir = join(import.meta.dirname, "../../../config");
const controlPlanePort = 8080;

interface DevNode {
  id: number;
  configFile: string;
  config: NodeConfig;
  adminUrl: string;
  stage: string;
}

export async function devCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { nodes: { type: "string", default: "3" }, "data-dir": { type: "string" } },
    help,
  );
  if (typeof args === "number") return args;
  if (args.values.nodes !== "1" && args.values.nodes !== "3") {
    console.error(`chronik dev: --nodes must be 1 or 3\n\n${help}`);
    return 2;
  }
  const dataDir = resolve(String(args.values["data-dir"] ?? "data"));
  const files =
    args.values.nodes === "1" ? ["single-node.toml"] : [1, 2, 3].map((n) => `node${n}-cluster.toml`);
  let nodes: DevNode[];
  try {
    nodes = files.map((f) => {
      const configFile = join(configDir, f);
      const { config } = loadNodeConfig(configFile);
      const http = parseHostPort(config.http.listen)!;
      return { id: config.node_id, configFile, config, adminUrl: `http://127.0.0.1:${http.port}`, stage: "" };
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  return runCluster(nodes, dataDir);
}

async function runCluster(nodes: DevNode[], dataDir: string): Promise<number> {
  const started = Date.now();
  const children: Child[] = [];
  // Set on Ctrl-C: from then on peers and the mirror publisher see one another go away, which they
  // report as warnings; those stay in the log files and only errors reach the terminal.
  let interruptedAt = 0;
  const show = (name: string, line: string) => {
    // Children log JSON (pino); the terminal only shows what needs attention.
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level && Number(level) >= (interruptedAt ? 50 : 40)) console.log(`[${name}] ${line}`);
    else if (!level && line.trim()) console.log(`[${name}] ${line}`);
  };
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await Promise.all(children.map((c) => stopChild(c)));
  };
  const interrupted = new Promise<void>((res) => {
    const onSignal = () => {
      interruptedAt = Date.now();
      console.log(`\nchronik dev: stopping… (logs: ${join(dataDir, "logs")})`);
      res();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });

  children.push(
    startChronik(
      "control-plane",
      ["control-plane", "--port", String(controlPlanePort), "--data-dir", join(dataDir, "control-plane")],
      join(dataDir, "logs", "control-plane.log"),
      show,
      // The nodes' config files use the dev secret; tell the control plane that is intended here.
      { CHRONIK_DEV: "1" },
    ),
  );
  for (const n of nodes) {
    const args = ["node", "--config", n.configFile, "--data-dir", join(dataDir, `node${n.id}`)];
    // More libuv threads: opening many partition logs and fsyncing them in parallel uses the pool.
    children.push(
      startChronik(`node ${n.id}`, args, join(dataDir, "logs", `node${n.id}.log`), show, {
        UV_THREADPOOL_SIZE: "16",
      }),
    );
  }
  const died = Promise.race(children.map((c) => c.exited.then((code) => ({ child: c, code }))));

  // The control plane (PGlite) takes a few seconds longer than the nodes; say when it answers.
  void (async () => {
    const url = `http://127.0.0.1:${controlPlanePort}`;
    while (!stopping) {
      const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) {
        console.log(`control plane: ready at ${url}/cluster/health  (+${Date.now() - started} ms)`);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const allReady = (async () => {
    for (;;) {
      const states = await Promise.all(nodes.map((n) => readReady(n.adminUrl)));
      nodes.forEach((n, i) => {
        const stage = stageOf(states[i]);
        if (stage !== n.stage) console.log(`node ${n.id}: ${stage}  (+${Date.now() - started} ms)`);
        n.stage = stage;
      });
      if (states.every((s) => s?.ready)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  const first = await Promise.race([
    allReady.then(() => "ready" as const),
    died.then((d) => d),
    interrupted.then(() => "interrupted" as const),
  ]);
  if (first === "ready") {
    const servers = nodes.map((n) => {
      const a = advertisedKafka(n.config);
      return `${a.host}:${a.port}`;
    });
    console.log(
      `chronik: ${nodes.length} node(s) ready in ${Date.now() - started} ms · bootstrap servers ${servers.join(",")} · ` +
        `control plane http://127.0.0.1:${controlPlanePort}/cluster/health · node admin ${nodes.map((n) => n.adminUrl).join(" ")} · logs ${join(dataDir, "logs")} · Ctrl-C stops`,
    );
    const after = await Promise.race([died, interrupted.then(() => "interrupted" as const)]);
    if (after !== "interrupted") return reportDeath(after, stopAll);
    await stopAll();
    return 0;
  }
  if (first === "interrupted") {
    await stopAll();
    return 0;
  }
  return reportDeath(first, stopAll, stopping);
}

async function reportDeath(
  d: { child: Child; code: number | null },
  stopAll: () => Promise<void>,
  stopping = false,
): Promise<number> {
  if (!stopping) {
    console.error(
      `chronik dev: ${d.child.name} exited with code ${d.code}; its last lines (full log: ${d.child.logFile}):`,
    );
    for (const line of d.child.tail()) console.error(`  ${line}`);
  }
  await stopAll();
  return 1;
}
