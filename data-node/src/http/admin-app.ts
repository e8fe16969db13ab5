import { Hono } from "hono";
import {
  brokerViews,
  evaluateHealth,
  type HealthOptions,
  httpStatusFor,
} from "../../../shared/health/index.ts";
import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";
import type { ReadinessStatus } from "../meta/readiness.ts";
import type { NodeMetrics } from "./metrics.ts";

// The node admin HTTP app (served by @hono/node-server on the config's [http] listen address).
// Everything comes in through deps, so tests drive it with app.request() and no sockets.

export type AdminAppDeps = {
  readiness: { status(): ReadinessStatus };
  // This node's registry snapshot, built from its metadata image (undefined before __meta starts).
  getSnapshot: () => RegistrySnapshot | undefined;
  now: () => number;
  metrics: NodeMetrics;
  // Called before each /metrics scrape, for values cheaper to compute on demand than to keep current.
  refreshMetrics?: () => void;
  health?: HealthOptions;
};

const NO_IMAGE = {
  status: "unknown",
  is_healthy: false,
  unhealthy_reasons: ["stale_metadata"],
  message: "this node has no metadata image yet",
} as const;

export function createAdminApp(deps: AdminAppDeps): Hono {
  const app = new Hono();

  app.get("/health/live", (c) => c.json({ live: true }));

  app.get("/health/ready", (c) => {
    const s = deps.readiness.status();
    return s.ready ? c.json({ ready: true }) : c.json({ ready: false, waiting_for: s.waiting_for }, 503);
  });

  app.get("/cluster/health", (c) => {
    const snapshot = deps.getSnapshot();
    if (!snapshot) return c.json(NO_IMAGE, 503);
    const health = evaluateHealth(snapshot, deps.now(), deps.health);
    return c.json(health, httpStatusFor(health));
  });

  app.get("/brokers", (c) => {
    const snapshot = deps.getSnapshot();
    if (!snapshot) return c.json(NO_IMAGE, 503);
    return c.json({
      cluster_id: snapshot.cluster_id,
      metadata_version: snapshot.version,
      observed_at: snapshot.observed_at,
      brokers: brokerViews(snapshot),
    });
  });

  app.get("/metrics", async (c) => {
    deps.refreshMetrics?.();
    return c.text(await deps.metrics.text(), 200, { "content-type": deps.metrics.contentType() });
  });

  return app;
}
