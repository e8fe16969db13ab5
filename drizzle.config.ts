import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate` writes SQL migrations for control-plane/src/db/schema.ts into migrations/.
// Generation needs no database; migrations are applied by `chronik control-plane migrate`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./control-plane/src/db/schema.ts",
  out: "./migrations",
});
