import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { createApp } from "./app.ts";
import * as schema from "./db/schema.ts";
import { readEnv } from "./env.ts";

// The Cloudflare Workers entry (wrangler.toml, nodejs_compat). Workers cannot keep a connection
// pool across requests, so each request gets its own postgres.js client with one connection, closed
// after the response. Migrations are not run here: see control-plane/README.md.

interface WorkerEnv {
  DATABASE_URL?: string;
  // A Hyperdrive binding, when configured, takes precedence over DATABASE_URL.
  HYPERDRIVE?: { connectionString: string };
  [key: string]: unknown;
}

interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: WorkerContext): Promise<Response> {
    let config: ReturnType<typeof readEnv>;
    try {
      config = readEnv(env);
    } catch (err) {
      console.error("invalid worker configuration", err);
      return Response.json({ error: "the control plane is misconfigured" }, { status: 500 });
    }
    const url = env.HYPERDRIVE?.connectionString ?? config.databaseUrl;
    if (!url) return Response.json({ error: "DATABASE_URL is not configured" }, { status: 500 });
    const client = postgres(url, { max: 1, fetch_types: false, onnotice: () => {} });
    try {
      const app = createApp({
        db: drizzle({ client, schema }),
        clock: Date.now,
        secrets: () => config.mirrorSecret,
        settings: config.settings,
      });
      return await app.fetch(request);
    } finally {
      ctx.waitUntil(client.end());
    }
  },
};
