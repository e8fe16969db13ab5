import { sql } from "drizzle-orm";
import journal from "../../../migrations/meta/_journal.json" with { type: "json" };
import type { Database } from "./database.ts";

// Where drizzle's migrator records applied migrations (its defaults, spelled out for the readiness check).
export const MIGRATIONS_SCHEMA = "drizzle";
export const MIGRATIONS_TABLE = "__drizzle_migrations";

// The newest migration this build knows; the migrator stores its `when` as created_at.
const latestMigrationMillis = Math.max(0, ...journal.entries.map((e) => e.when));

// True when the database has every migration this build ships. Runs anywhere (Workers too): it reads
// the journal bundled into the code, not the migrations folder.
export async function isMigrated(db: Database): Promise<boolean> {
  const exists = await db.execute(
    sql`select to_regclass(${`${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`}) is not null as ok`,
  );
  if (!rowsOf(exists)[0]?.ok) return false;
  const rows = rowsOf(
    await db.execute(
      sql`select max(created_at) as latest from ${sql.identifier(MIGRATIONS_SCHEMA)}.${sql.identifier(MIGRATIONS_TABLE)}`,
    ),
  );
  return Number(rows[0]?.latest ?? 0) >= latestMigrationMillis;
}

// postgres.js returns an array of rows, PGlite an object with `rows`.
function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  return (result as { rows: Record<string, unknown>[] }).rows;
}
