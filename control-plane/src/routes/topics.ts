import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { isBrokerAlive } from "../../../shared/health/evaluate.ts";
import { partitionSchema, type RegistrySnapshot, type TopicInfo } from "../../../shared/registry/snapshot.ts";
import { requireOperator } from "../auth.ts";
import type { AppDeps } from "../deps.ts";
import { clusterQuery, errorSchema, loadView, versionEnvelope } from "../view.ts";

const json = <T>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const topicSummarySchema = z.object({
  name: z.string(),
  id: z.string(),
  internal: z.boolean(),
  partitions: z.number().int(),
  replication_factor: z.number().int(),
  under_replicated_partitions: z.number().int(),
  leaderless_partitions: z.number().int(),
});

const topicDetailSchema = z.object({
  name: z.string(),
  id: z.string(),
  internal: z.boolean(),
  configs: z.record(z.string(), z.string()),
  partitions: z.array(partitionSchema),
});

// Same definitions as the health rules: no alive leader = leaderless; ISR short of replicas = under-replicated.
function summarize(snapshot: RegistrySnapshot, t: TopicInfo): z.infer<typeof topicSummarySchema> {
  const alive = new Set(snapshot.brokers.filter((b) => isBrokerAlive(b, snapshot)).map((b) => b.id));
  return {
    name: t.name,
    id: t.id,
    internal: t.internal,
    partitions: t.partitions.length,
    replication_factor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
    under_replicated_partitions: t.partitions.filter((p) => new Set(p.isr).size < new Set(p.replicas).size)
      .length,
    leaderless_partitions: t.partitions.filter((p) => p.leader === null || !alive.has(p.leader)).length,
  };
}

export function registerTopicRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const auth = [requireOperator(deps.settings.operatorTokens)];
  const failures = {
    400: json(errorSchema, "several clusters are mirrored and none was named"),
    401: json(errorSchema, "missing or wrong operator token"),
    404: json(errorSchema, "unknown cluster or topic"),
  };

  const list = createRoute({
    method: "get",
    path: "/topics",
    summary: "Topics of a cluster",
    request: { query: clusterQuery },
    middleware: auth,
    responses: {
      200: json(versionEnvelope.extend({ topics: z.array(topicSummarySchema) }), "the topics"),
      ...failures,
    },
  });
  app.openapi(list, async (c) => {
    const result = await loadView(deps, c.req.valid("query").cluster);
    if (!result.ok) return result.status === 400 ? c.json(result.body, 400) : c.json(result.body, 404);
    const { snapshot, envelope } = result.view;
    return c.json({ ...envelope, topics: snapshot.topics.map((t) => summarize(snapshot, t)) }, 200);
  });

  const one = createRoute({
    method: "get",
    path: "/topics/{name}",
    summary: "One topic with its partitions (leader, replicas, ISR, leader epoch)",
    request: { query: clusterQuery, params: z.object({ name: z.string().min(1) }) },
    middleware: auth,
    responses: { 200: json(versionEnvelope.extend({ topic: topicDetailSchema }), "the topic"), ...failures },
  });
  app.openapi(one, async (c) => {
    const result = await loadView(deps, c.req.valid("query").cluster);
    if (!result.ok) return result.status === 400 ? c.json(result.body, 400) : c.json(result.body, 404);
    const name = c.req.valid("param").name;
    const topic = result.view.snapshot.topics.find((t) => t.name === name);
    if (!topic) return c.json({ error: `unknown topic ${name}` }, 404);
    const { configs, id, internal, partitions } = topic;
    return c.json({ ...result.view.envelope, topic: { name, id, internal, configs, partitions } }, 200);
  });
}
