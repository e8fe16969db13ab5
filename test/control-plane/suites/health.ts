import { describe, expect, it } from "vitest";
import type { ClusterHealth } from "../../../shared/health/schema.ts";
import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";
import { broker, healthySnapshot, T0 } from "../../unit/health/snapshot-fixture.ts";
import { type Harness, OTHER_SECRET } from "../support/harness.ts";

async function health(
  h: Harness,
  path = "/cluster/health",
): Promise<{ status: number; body: ClusterHealth }> {
  const res = await h.get(path);
  return { status: res.status, body: (await res.json()) as ClusterHealth };
}

const cases: { name: string; snapshot: RegistrySnapshot; code: number; status: string; reasons: string[] }[] =
  [
    { name: "healthy", snapshot: healthySnapshot(), code: 200, status: "healthy", reasons: [] },
    {
      name: "degraded by a fenced broker",
      snapshot: healthySnapshot({ brokers: [broker(1), broker(2), broker(3, { state: "fenced" })] }),
      code: 200,
      status: "degraded",
      reasons: ["brokers_fenced"],
    },
    {
      name: "degraded by a voter that never registered and a short ISR",
      snapshot: (() => {
        const s = healthySnapshot({ brokers: [broker(1), broker(2)] });
        for (const p of s.topics[0].partitions) {
          p.leader = 1;
          p.isr = [1, 2];
        }
        return s;
      })(),
      code: 200,
      status: "degraded",
      reasons: ["brokers_not_registered", "under_replicated_partitions"],
    },
    {
      name: "unavailable without a meta leader",
      snapshot: healthySnapshot({ meta: { leader_id: null, term: 3, commit_index: 120, voters: [1, 2, 3] } }),
      code: 503,
      status: "unavailable",
      reasons: ["no_meta_leader"],
    },
    {
      name: "unavailable with a quorum of voters down and their partitions leaderless",
      snapshot: healthySnapshot({
        brokers: [
          broker(1),
          broker(2, { last_heartbeat_at: T0 - 60_000 }),
          broker(3, { last_heartbeat_at: T0 - 60_000 }),
        ],
      }),
      code: 503,
      status: "unavailable",
      reasons: ["no_meta_quorum", "nodes_down", "leaderless_partitions"],
    },
  ];

export function healthSuite(h: Harness): void {
  describe("GET /cluster/health", () => {
    it.each(cases)("reports $name ($code)", async ({ snapshot, code, status, reasons }) => {
      await h.push(snapshot);
      h.clock.now = T0 + 2000;
      const { status: http, body } = await health(h);
      expect(http).toBe(code);
      expect(body.status).toBe(status);
      expect(body.unhealthy_reasons).toEqual(reasons);
      expect(body.is_healthy).toBe(status === "healthy");
      expect(body).toMatchObject({
        cluster_id: "test-cluster",
        metadata_version: { term: 3, applied_index: 120 },
        observed_at: T0,
        age_ms: 2000,
        stale: false,
      });
    });

    it("turns unknown with stale_metadata once the mirror outlives its max age, until a push confirms it", async () => {
      await h.push(healthySnapshot());
      h.clock.now = T0 + 30_000;
      expect((await health(h)).body.status).toBe("healthy");
      h.clock.now = T0 + 30_001;
      const stale = await health(h);
      expect(stale.status).toBe(503);
      expect(stale.body).toMatchObject({
        status: "unknown",
        unhealthy_reasons: ["stale_metadata"],
        stale: true,
        age_ms: 30_001,
      });
      // The periodic push of the same version, observed later, makes it fresh again.
      const again = healthySnapshot({
        observed_at: T0 + 30_001,
        brokers: [1, 2, 3].map((id) => broker(id, { last_heartbeat_at: T0 + 30_000 })),
      });
      expect((await h.push(again)).status).toBe(200);
      const fresh = await health(h);
      expect(fresh.status).toBe(200);
      expect(fresh.body).toMatchObject({ status: "healthy", stale: false, age_ms: 0 });
    });

    it("honours the configured max age", async () => {
      await h.push(healthySnapshot());
      h.clock.now = T0 + 5001;
      expect((await h.get("/cluster/health", { app: h.app({ maxAgeMs: 5000 }) })).status).toBe(503);
      expect((await h.get("/cluster/health", { app: h.app({ maxAgeMs: 6000 }) })).status).toBe(200);
    });

    it("measures age on the control plane's clock, whatever the publisher's clock says", async () => {
      // The publisher's clock is ten minutes behind: its snapshot still counts as just received.
      const behind = T0 - 600_000;
      await h.push(
        healthySnapshot({
          observed_at: behind,
          brokers: [1, 2, 3].map((id) => broker(id, { last_heartbeat_at: behind - 100 })),
        }),
      );
      h.clock.now = T0 + 1000;
      const { status, body } = await health(h);
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: "healthy", age_ms: 1000, observed_at: behind });
      expect(body.nodes.map((n) => n.last_heartbeat_age_ms)).toEqual([100, 100, 100]);
    });

    it("selects the cluster: the only one by default, ?cluster= among several, 404 for unknown", async () => {
      expect((await h.get("/cluster/health")).status).toBe(404);
      await h.push(healthySnapshot());
      expect((await health(h)).body.cluster_id).toBe("test-cluster");
      await h.push(
        healthySnapshot({
          cluster_id: "other-cluster",
          meta: { leader_id: null, term: 1, commit_index: 1, voters: [1] },
        }),
        {
          secret: OTHER_SECRET,
        },
      );
      const ambiguous = await h.get("/cluster/health");
      expect(ambiguous.status).toBe(400);
      expect(await ambiguous.json()).toMatchObject({ clusters: ["other-cluster", "test-cluster"] });
      expect((await health(h, "/cluster/health?cluster=test-cluster")).status).toBe(200);
      const other = await health(h, "/cluster/health?cluster=other-cluster");
      expect(other.status).toBe(503);
      expect(other.body.unhealthy_reasons).toContain("no_meta_leader");
      expect((await h.get("/cluster/health?cluster=nope")).status).toBe(404);
    });

    it("is public by default and token-guarded when configured so", async () => {
      await h.push(healthySnapshot());
      const guarded = h.app({ healthPublic: false, operatorTokens: ["op-token"] });
      expect((await h.get("/cluster/health", { app: guarded })).status).toBe(401);
      expect((await h.get("/cluster/health", { app: guarded, token: "op-token" })).status).toBe(200);
      const open = h.app({ healthPublic: true, operatorTokens: ["op-token"] });
      expect((await h.get("/cluster/health", { app: open })).status).toBe(200);
    });
  });
}
