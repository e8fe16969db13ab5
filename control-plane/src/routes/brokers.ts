import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { brokerViewSchema, brokerViews } from "../../../shared/health/brokers.ts";
import { requireOperator } from "../auth.ts";
import type { AppDeps } from "../deps.ts";
import { clusterQuery, errorSchema, loadView, versionEnvelope } from "../view.ts";

const json = <T>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export function registerBrokerRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const auth = [requireOperator(deps.settings.operatorTokens)];
  const failures = {
    400: json(errorSchema, "several clusters are mirrored and none was named"),
    401: json(errorSchema, "missing or wrong operator token"),
    404: json(errorSchema, "unknown cluster or broker"),
  };

  const list = createRoute({
    method: "get",
    path: "/brokers",
    summary: "Registered brokers of a cluster",
    request: { query: clusterQuery },
    middleware: auth,
    responses: {
      200: json(versionEnvelope.extend({ brokers: z.array(brokerViewSchema) }), "the brokers"),
      ...failures,
    },
  });
  app.openapi(list, async (c) => {
    const result = await loadView(deps, c.req.valid("query").cluster);
    if (!result.ok) return result.status === 400 ? c.json(result.body, 400) : c.json(result.body, 404);
    return c.json({ ...result.view.envelope, brokers: brokerViews(result.view.snapshot) }, 200);
  });

  const one = createRoute({
    method: "get",
    path: "/brokers/{id}",
    summary: "One broker",
    request: { query: clusterQuery, params: z.object({ id: z.coerce.number().int().nonnegative() }) },
    middleware: auth,
    responses: {
      200: json(versionEnvelope.extend({ broker: brokerViewSchema }), "the broker"),
      ...failures,
    },
  });
  app.openapi(one, async (c) => {
    const result = await loadView(deps, c.req.valid("query").cluster);
    if (!result.ok) return result.status === 400 ? c.json(result.body, 400) : c.json(result.body, 404);
    const id = c.req.valid("param").id;
    const broker = brokerViews(result.view.snapshot).find((b) => b.id === id);
    if (!broker) return c.json({ error: `unknown broker ${id}` }, 404);
    return c.json({ ...result.view.envelope, broker }, 200);
  });
}
