import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { type ServerType, serve } from "@hono/node-server";
import { createLogger, type Logger } from "../../shared/log.ts";
import { createApp } from "./app.ts";
import { type DatabaseHandle, DEFAULT_DATA_DIR, openDatabase } from "./db/open.ts";
import type { Settings } from "./deps.ts";
import { readEnv } from "./env.ts";

// The Node entry: `chronik control-plane [--port 8080] [--host 127.0.0.1] [--data-dir DIR]` serves the
// API (migrating first); `chronik control-plane migrate` only migrates. Environment: see env.ts.

const USAGE = `usage: chronik control-plane [--port 8080] [--host 127.0.0.1] [--data-dir ${DEFAULT_DATA_DIR}]
       chronik control-plane migrate [--data-dir ${DEFAULT_DATA_DIR}]
env:   DATABASE_URL (Postgres server; PGlite in --data-dir when unset), CHRONIK_MIRROR_SECRET,
       CHRONIK_OPERATOR_TOKENS (comma-separated), CHRONIK_HEALTH_PUBLIC (true|false), CHRONIK_MAX_AGE_MS`;

export interface ControlPlaneOptions {
  port?: number;
  host?: string;
  // PGlite data directory, used when no databaseUrl is given.
  dataDir?: string;
  databaseUrl?: string;
  // In-memory PGlite (tests, throwaway dev clusters).
  memory?: boolean;
  // An already-open database to use instead of opening one; it is closed with the control plane.
  database?: DatabaseHandle;
  mirrorSecret: string;
  settings: Settings;
  logger: Logger;
  clock?: () => number;
}

export interface RunningControlPlane {
  url: string;
  port: number;
  close(): Promise<void>;
}

// Opens and migrates the database, then serves the app. Also used by `chronik dev`.
export async function startControlPlane(opts: ControlPlaneOptions): Promise<RunningControlPlane> {
  const log = opts.logger;
  const handle =
    opts.database ??
    (await openDatabase({ url: opts.databaseUrl, dataDir: opts.dataDir, memory: opts.memory }));
  try {
    await handle.migrate();
  } catch (err) {
    await handle.close();
    throw err;
  }
  log.info({ driver: handle.driver, location: handle.location }, "control plane database ready");
  const app = createApp({
    db: handle.db,
    clock: opts.clock ?? Date.now,
    secrets: () => opts.mirrorSecret,
    settings: opts.settings,
    logger: log,
  });
  const host = opts.host ?? "127.0.0.1";
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 8080, hostname: host }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log.info({ url }, "control plane listening");
  return {
    url,
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handle.close();
      log.info("control plane stopped");
    },
  };
}

export async function controlPlaneCommand(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const log = createLogger({ component: "control-plane" });
  let env: ReturnType<typeof readEnv>;
  try {
    env = readEnv(process.env);
  } catch (err) {
    console.error(`invalid environment: ${(err as Error).message}`);
    return 2;
  }
  const dataDir = parsed.values["data-dir"];
  const command = parsed.positionals[0];

  if (command === "migrate") {
    const handle = await openDatabase({ url: env.databaseUrl, dataDir });
    try {
      await handle.migrate();
      log.info({ driver: handle.driver, location: handle.location }, "migrations applied");
      return 0;
    } finally {
      await handle.close();
    }
  }
  if (command !== undefined) {
    console.error(`unknown command: ${command}\n${USAGE}`);
    return 2;
  }

  const port = Number(parsed.values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${parsed.values.port}\n${USAGE}`);
    return 2;
  }
  // Under `chronik dev` the dev secret is the intended one; anywhere else it is a mistake to flag.
  if (env.usingDevSecret && process.env.CHRONIK_DEV === "1")
    log.info("accepting mirror pushes signed with the dev-only secret (chronik dev)");
  else if (env.usingDevSecret)
    log.warn("CHRONIK_MIRROR_SECRET is not set: accepting pushes signed with the dev-only default");
  const running = await startControlPlane({
    port,
    host: parsed.values.host,
    dataDir,
    databaseUrl: env.databaseUrl,
    mirrorSecret: env.mirrorSecret,
    settings: env.settings,
    logger: log,
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await running.close();
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      "data-dir": { type: "string", default: DEFAULT_DATA_DIR },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}
