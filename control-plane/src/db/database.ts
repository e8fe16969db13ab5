import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema.ts";

// The app talks to any drizzle Postgres database with our schema: postgres.js (a server, Node or
// Workers) or PGlite (embedded). Both drivers produce this type.
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
