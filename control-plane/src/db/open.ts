import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Database } from "./database.ts";
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from "./migrations.ts";
import * as schema from "./schema.ts";

// Node-side database handles: postgres.js for a server (DATABASE_URL), PGlite embedded otherwise.
// Workers open their own postgres.js client per request (worker.ts) and never migrate.

export const DEFAULT_DATA_DIR = "./data/control-plane";
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../migrations", import.meta.url));

export interface OpenDatabaseOptions {
  url?: string;
  dataDir?: string;
  memory?: boolean;
}

export interface DatabaseHandle {
  db: Database;
  driver: "postgres" | "pglite";
  // Where it lives, without credentials, for logs.
  location: string;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const migrationConfig = {
  migrationsFolder: MIGRATIONS_FOLDER,
  migrationsSchema: MIGRATIONS_SCHEMA,
  migrationsTable: MIGRATIONS_TABLE,
};

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (opts.url) return openPostgres(opts.url);
  return openPglite(opts.memory ? undefined : (opts.dataDir ?? DEFAULT_DATA_DIR));
}

function openPostgres(url: string): DatabaseHandle {
  const client = postgres(url, { max: 10, onnotice: () => {} });
  const db = drizzlePostgres({ client, schema });
  return {
    db,
    driver: "postgres",
    location: redact(url),
    async migrate() {
      // Several control planes may start at once against one server: migrate under an advisory lock.
      const conn = await client.reserve();
      try {
        await conn`select pg_advisory_lock(hashtext('chronik-control-plane-migrate'))`;
        try {
          await migratePostgres(db, migrationConfig);
        } finally {
          await conn`select pg_advisory_unlock(hashtext('chronik-control-plane-migrate'))`;
        }
      } finally {
        conn.release();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  return pgliteHandle(await PGlite.create(dataDir), dataDir ?? "memory");
}

// Wraps a PGlite instance the caller created (e.g. from a data-dir dump); closing the handle closes it.
export function pgliteHandle(client: PGlite, location: string): DatabaseHandle {
  const db = drizzlePglite({ client, schema });
  return {
    db,
    driver: "pglite",
    location,
    migrate: () => migratePglite(db, migrationConfig),
    close: () => client.close(),
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    u.username = "";
    return u.toString();
  } catch {
    return "postgres";
  }
}
