import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { evaluateHealth, httpStatusFor } from "../../../shared/health/evaluate.ts";
import { clusterHealthSchema } from "../../../shared/health/schema.ts";
import { requireOperator } from "../auth.ts";
import type { AppDeps } from "../deps.ts";
import { clusterQuery, errorSchema, loadView } from "../view.ts";

const json = <T>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export function registerHealthRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const { settings } = deps;
  const route = createRoute({
    method: "get",
    path: "/cluster/health",
    summary: "Cluster health computed from the mirrored registry",
    description:
      "200 while the cluster is healthy or degraded, 503 when unavailable or unknown (the mirror is older than its max age).",
    request: { query: clusterQuery },
    middleware: settings.healthPublic ? [] : [requireOperator(settings.operatorTokens)],
    responses: {
      200: json(clusterHealthSchema, "healthy or degraded"),
      503: json(clusterHealthSchema, "unavailable or unknown"),
      400: json(errorSchema, "several clusters are mirrored and none was named"),
      401: json(errorSchema, "missing or wrong operator token (when health is not public)"),
      404: json(errorSchema, "unknown cluster, or nothing mirrored yet"),
    },
  });
  app.openapi(route, async (c) => {
    const result = await loadView(deps, c.req.valid("query").cluster);
    if (!result.ok) return result.status === 400 ? c.json(result.body, 400) : c.json(result.body, 404);
    const { snapshot, now, envelope } = result.view;
    const health = { ...evaluateHealth(snapshot, now, { maxAgeMs: settings.maxAgeMs }), ...envelope };
    return httpStatusFor(health) === 200 ? c.json(health, 200) : c.json(health, 503);
  });
}
