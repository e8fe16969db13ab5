import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
  DEFAULT_REPLAY_WINDOW_MS,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyMirrorPush,
} from "../../../shared/registry/mirror-signature.ts";
import { registrySnapshotSchema } from "../../../shared/registry/snapshot.ts";
import type { AppDeps } from "../deps.ts";
import { applySnapshot } from "../mirror/store.ts";
import { errorSchema } from "../view.ts";

const json = <T>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const INT32_MAX = 2 ** 31 - 1;

// The snapshot contract plus what the tables need: unique broker ids, topic names and partition
// numbers, and node/partition numbers that fit an integer column (either would otherwise fail the
// transaction as a server error).
const pushSchema = registrySnapshotSchema.superRefine((s, ctx) => {
  const ids = [
    ...s.meta.voters,
    s.meta.leader_id ?? 0,
    ...s.brokers.map((b) => b.id),
    ...s.topics.flatMap((t) =>
      t.partitions.flatMap((p) => [p.partition, p.leader ?? 0, ...p.replicas, ...p.isr]),
    ),
  ];
  if (ids.some((id) => id > INT32_MAX)) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: `node ids and partition numbers must be at most ${INT32_MAX}`,
    });
  }
  const dup = <T>(items: T[]) => items.find((x, i) => items.indexOf(x) !== i);
  const brokerDup = dup(s.brokers.map((b) => b.id));
  if (brokerDup !== undefined)
    ctx.addIssue({ code: "custom", path: ["brokers"], message: `duplicate broker id ${brokerDup}` });
  const topicDup = dup(s.topics.map((t) => t.name));
  if (topicDup !== undefined)
    ctx.addIssue({ code: "custom", path: ["topics"], message: `duplicate topic ${topicDup}` });
  s.topics.forEach((t, i) => {
    const p = dup(t.partitions.map((x) => x.partition));
    if (p !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["topics", i, "partitions"],
        message: `duplicate partition ${p}`,
      });
    }
  });
});

const pushResultSchema = z.object({
  applied: z.boolean(),
  reason: z.enum(["equal", "older"]).optional(),
  // For an equal tag: whether the push was newer and refreshed observed_at and heartbeats.
  refreshed: z.boolean().optional(),
  cluster_id: z.string(),
  version: z.object({ term: z.number().int(), applied_index: z.number().int() }),
});

// Runs before body validation, so an unsigned caller learns nothing about the schema.
function verifySignature(deps: AppDeps): MiddlewareHandler {
  return async (c, next) => {
    const body = await c.req.text();
    let clusterId: unknown;
    try {
      clusterId = (JSON.parse(body) as { cluster_id?: unknown } | null)?.cluster_id;
    } catch {
      return c.json({ error: "body is not JSON" }, 400);
    }
    if (typeof clusterId !== "string" || clusterId.length === 0) {
      return c.json({ error: "body has no cluster_id" }, 400);
    }
    const secret = await deps.secrets(clusterId);
    if (!secret) return c.json({ error: "pushes for this cluster are not accepted" }, 401);
    const check = await verifyMirrorPush({
      secret,
      body,
      timestamp: c.req.header(TIMESTAMP_HEADER),
      signature: c.req.header(SIGNATURE_HEADER),
      now: deps.clock(),
      windowMs: deps.settings.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS,
    });
    if (!check.ok) return c.json({ error: `signature ${check.reason}` }, 401);
    await next();
  };
}

export function registerMirrorRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const route = createRoute({
    method: "post",
    path: "/v1/mirror",
    summary: "Push a registry snapshot (from the __meta leader)",
    description:
      `Signed with HMAC-SHA256 over "\${timestamp}.\${body}" using the cluster's secret: headers ${TIMESTAMP_HEADER} ` +
      `(epoch ms, within the replay window) and ${SIGNATURE_HEADER} ("sha256=<hex>"). Stored only if its ` +
      "(term, applied_index) tag is newer than the stored one; an equal tag is a no-op, an older one is acknowledged.",
    middleware: [verifySignature(deps)],
    request: { body: { content: { "application/json": { schema: pushSchema } }, required: true } },
    responses: {
      200: json(pushResultSchema, "accepted (applied or not)"),
      400: json(z.object({ error: z.string(), issues: z.array(z.any()).optional() }), "malformed snapshot"),
      401: json(errorSchema, "missing, malformed, expired or wrong signature"),
    },
  });
  app.openapi(route, async (c) => {
    const s = c.req.valid("json");
    const result = await applySnapshot(deps.db, s, deps.clock());
    return c.json({ ...result, cluster_id: s.cluster_id, version: s.version }, 200);
  });
}
