import { join, resolve } from "node:path";
import { parseHostPort } from "../../../shared/config/address.ts";
import { advertisedKafka } from "../../../shared/config/endpoints.ts";
import { ConfigError } from "../../../shared/config/issues.ts";
import { loadNodeConfig } from "../../../shared/config/load.ts";
import type { NodeConfig } from "../../../shared/config/schema.ts";
import { parseCommandArgs } from "./args.ts";
import { startChronik, stopChild } from "./dev/child.ts";
import { controlPlaneStage, readReady, stageOf } from "./dev/readiness.ts";
import { reportDeath, reportExit } from "./dev/report.ts";
import { type Member, updateStages } from "./dev/stages.ts";

const help = `usage: chronik dev [--nodes 1|3] [--data-dir DIR]

Starts a local cluster as child processes from config/node{1,2,3}-cluster.toml (or
config/single-node.toml with --nodes 1) plus the control plane on http://127.0.0.1:8080
(embedded PGlite), prints each one's pid and progress (starting → leader known → registered →
ready), and prints the bootstrap servers once all nodes are ready. Data and logs go to DIR
(default ./data).

If a process exits before the nodes are ready, it shows that process's last log lines and stops
the rest. Once the cluster is up, a process that dies (say you kill a node to watch failover) is
reported with its last lines and the command that restarts it by hand; the rest keeps running,
even with every node down, and the progress lines go on (a dead node shows as down, and ready
again once restarted). Ctrl-C stops every process it started that is still running (not those
restarted by hand) and exits 0.`;

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
  const since = () => `  (+${Date.now() - started} ms)`;
  // When a process goes away (or on Ctrl-C) the others warn about it (peer unreachable, mirror push
  // failing); dev reports the exit itself, so from then on warnings stay in the log files and only
  // errors reach the terminal.
  let quiet = false;
  const show = (name: string, line: string) => {
    // Children log JSON (pino); the terminal only shows what needs attention.
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level && Number(level) >= (quiet ? 50 : 40)) console.log(`[${name}] ${line}`);
    else if (!level && line.trim()) console.log(`[${name}] ${line}`);
  };
  const members: Member[] = [];
  const spawnMember = (
    name: string,
    args: string[],
    logName: string,
    env: Record<string, string | undefined>,
    probe: Member["probe"],
  ) => {
    const child = startChronik(name, args, join(dataDir, "logs", logName), show, env);
    console.log(`${name}: starting, pid ${child.process.pid}${since()}`);
    members.push({ name, child, probe, stage: "starting" });
  };

  const cpUrl = `http://127.0.0.1:${controlPlanePort}`;
  spawnMember(
    "control plane",
    ["control-plane", "--port", String(controlPlanePort), "--data-dir", join(dataDir, "control-plane")],
    "control-plane.log",
    // The nodes' config files use the dev secret; tell the control plane that is intended here. Its
    // mirror is the embedded PGlite under the data dir even when DATABASE_URL names a server: that
    // database may hold another cluster "local" with a newer version, which would lock this one out.
    { CHRONIK_DEV: "1", DATABASE_URL: undefined },
    () => controlPlaneStage(cpUrl),
  );
  for (const n of nodes) {
    spawnMember(
      `node ${n.id}`,
      ["node", "--config", n.configFile, "--data-dir", join(dataDir, `node${n.id}`)],
      `node${n.id}.log`,
      // More libuv threads: opening many partition logs and fsyncing them in parallel uses the pool.
      { UV_THREADPOOL_SIZE: "16" },
      async () => {
        const state = await readReady(n.adminUrl);
        return state && stageOf(state);
      },
    );
  }
  const nodeMembers = members.slice(1);

  let up = false;
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await Promise.all(members.map((m) => stopChild(m.child)));
  };
  const interrupted = new Promise<"interrupted">((res) => {
    const onSignal = () => {
      quiet = true;
      console.log(`\nchronik dev: stopping… (logs: ${join(dataDir, "logs")})`);
      res("interrupted");
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  const failedAtStart = new Promise<Member>((res) => {
    for (const m of members) {
      void m.child.exited.then((exit) => {
        if (stopping) return;
        quiet = true;
        if (!up) {
          reportExit(m.child, exit, " before the cluster was ready");
          res(m);
        } else reportDeath(m.child, exit);
      });
    }
  });
  const ready = new Promise<"ready">((res) => {
    void (async () => {
      while (!stopping) {
        await updateStages(members, since);
        if (!up && nodeMembers.every((m) => m.stage === "ready")) {
          up = true;
          res("ready");
        }
        // Fast while starting so the progress lines show real timings; slower once up.
        await new Promise((r) => setTimeout(r, up ? 500 : 50));
      }
    })();
  });

  const first = await Promise.race([ready, failedAtStart, interrupted]);
  if (first === "ready") {
    const servers = nodes.map((n) => {
      const a = advertisedKafka(n.config);
      return `${a.host}:${a.port}`;
    });
    console.log(
      `chronik: ${nodes.length} node(s) ready in ${Date.now() - started} ms · bootstrap servers ${servers.join(",")} · ` +
        `control plane ${cpUrl}/cluster/health · node admin ${nodes.map((n) => n.adminUrl).join(" ")} · logs ${join(dataDir, "logs")} · Ctrl-C stops`,
    );
    await interrupted;
  } else if (first !== "interrupted") {
    // Nothing worked yet, so there is nothing to fail over to: the cause is in the lines above.
    console.error(
      "chronik dev: stopping the rest, as the cluster never came up; fix the cause and start again",
    );
    await stopAll();
    return 1;
  }
  await stopAll();
  return 0;
}
