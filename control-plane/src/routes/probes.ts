import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { isMigrated } from "../db/migrations.ts";
import type { AppDeps } from "../deps.ts";

const json = <T>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const readySchema = z.object({
  ready: z.boolean(),
  reasons: z.array(z.enum(["database_unreachable", "not_migrated"])),
});

export function registerProbeRoutes(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/livez",
      summary: "The process serves requests",
      responses: { 200: json(z.object({ live: z.literal(true) }), "alive") },
    }),
    (c) => c.json({ live: true as const }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/readyz",
      summary: "The database is reachable and has every migration",
      responses: { 200: json(readySchema, "ready"), 503: json(readySchema, "not ready") },
    }),
    async (c) => {
      let migrated: boolean;
      try {
        migrated = await isMigrated(deps.db);
      } catch {
        return c.json({ ready: false, reasons: ["database_unreachable" as const] }, 503);
      }
      if (!migrated) return c.json({ ready: false, reasons: ["not_migrated" as const] }, 503);
      return c.json({ ready: true, reasons: [] }, 200);
    },
  );
}
