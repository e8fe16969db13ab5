import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps } from "./deps.ts";
import { registerBrokerRoutes } from "./routes/brokers.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerMirrorRoutes } from "./routes/mirror.ts";
import { registerProbeRoutes } from "./routes/probes.ts";
import { registerTopicRoutes } from "./routes/topics.ts";

export type { AppDeps, Settings } from "./deps.ts";

// The control plane's HTTP API, runtime-agnostic: Node (node.ts), Workers (worker.ts) and tests
// (app.request) build it from their own dependencies.
export function createApp(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return c.json({ error: "invalid request", issues: result.error.issues }, 400);
    },
  });
  // Operators see an error body, never a stack; the host logs the error.
  app.onError((err, c) => {
    if (deps.logger) deps.logger.error({ err }, "request failed");
    else console.error(err);
    return c.json({ error: "internal error" }, 500);
  });
  registerProbeRoutes(app, deps);
  registerHealthRoutes(app, deps);
  registerBrokerRoutes(app, deps);
  registerTopicRoutes(app, deps);
  registerMirrorRoutes(app, deps);
  app.doc("/openapi.json", {
    openapi: "3.0.3",
    info: {
      title: "chronik control plane",
      version: "1",
      description: "Mirror of chronik clusters' registries: cluster health, brokers and topics.",
    },
  });
  return app;
}
