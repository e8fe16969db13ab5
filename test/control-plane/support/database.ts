import { sql } from "drizzle-orm";
import postgres from "postgres";
import { type DatabaseHandle, openDatabase } from "../../../control-plane/src/db/open.ts";
import { openMigratedPglite } from "./pglite-template.ts";

// Test databases: one in-memory PGlite per test file (loaded from a migrated template), or a fresh database
// on the Postgres server named by DATABASE_URL, created for this file and dropped afterwards so runs
// never collide.

export type Backend = "pglite" | "postgres";

// Postgres joins the matrix only where a server is configured (CI and this machine set DATABASE_URL).
export function backends(): Backend[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestDatabase {
  handle: DatabaseHandle;
  // A URL for this database (postgres only), for processes that connect on their own.
  url?: string;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openTestDatabase(
  backend: Backend,
  opts: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  let handle: DatabaseHandle;
  let url: string | undefined;
  let drop = async () => {};
  if (backend === "pglite") {
    handle = await openMigratedPglite();
  } else {
    const created = await createScratchDatabase(requiredUrl());
    url = created.url;
    drop = created.drop;
    handle = await openDatabase({ url });
  }
  if (opts.migrate !== false) await handle.migrate();
  return {
    handle,
    url,
    reset: async () => {
      await handle.db.execute(sql`truncate partitions, topics, brokers, mirror_versions, clusters`);
    },
    close: async () => {
      await handle.close();
      await drop();
    },
  };
}

export function requiredUrl(): string {
  return process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
}

export async function createScratchDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `chronik_cp_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
