import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";
import { broker, healthySnapshot, T0 } from "../../unit/health/snapshot-fixture.ts";
import { type Harness, OTHER_SECRET } from "../support/harness.ts";

function tagged(
  term: number,
  appliedIndex: number,
  overrides: Partial<RegistrySnapshot> = {},
): RegistrySnapshot {
  return healthySnapshot({ version: { term, applied_index: appliedIndex }, ...overrides });
}

async function storedVersion(h: Harness) {
  const res = await h.get("/cluster/health");
  expect(res.status).toBe(200);
  return ((await res.json()) as { metadata_version: { term: number; applied_index: number } })
    .metadata_version;
}

async function brokerIds(h: Harness): Promise<number[]> {
  const res = await h.get("/brokers");
  return ((await res.json()) as { brokers: { id: number }[] }).brokers.map((b) => b.id);
}

export function mirrorSuite(h: Harness): void {
  describe("POST /v1/mirror versioning", () => {
    it("stores a first push and replaces it with a newer one", async () => {
      const first = await h.push(tagged(3, 100));
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({
        applied: true,
        cluster_id: "test-cluster",
        version: { term: 3, applied_index: 100 },
      });
      expect(await brokerIds(h)).toEqual([1, 2, 3]);

      const newer = tagged(3, 101, { brokers: [broker(1), broker(2), broker(3), broker(4)], topics: [] });
      expect(await (await h.push(newer)).json()).toMatchObject({ applied: true });
      expect(await brokerIds(h)).toEqual([1, 2, 3, 4]);
      expect(await storedVersion(h)).toEqual({ term: 3, applied_index: 101 });
      const topics = (await (await h.get("/topics")).json()) as { topics: unknown[] };
      expect(topics.topics).toEqual([]);
    });

    it("orders tags by term first: a higher term wins with a lower applied index", async () => {
      await h.push(tagged(3, 500));
      expect(await (await h.push(tagged(4, 20))).json()).toMatchObject({ applied: true });
      expect(await storedVersion(h)).toEqual({ term: 4, applied_index: 20 });
    });

    it("treats an equal tag as a no-op", async () => {
      await h.push(tagged(3, 100));
      const res = await h.push(tagged(3, 100, { brokers: [broker(1)] }));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ applied: false, reason: "equal", refreshed: false });
      expect(await brokerIds(h)).toEqual([1, 2, 3]);
    });

    it("lets an equal tag observed later refresh heartbeats and freshness only", async () => {
      await h.push(tagged(3, 100));
      h.clock.now = T0 + 25_000;
      const later = tagged(3, 100, {
        observed_at: T0 + 25_000,
        brokers: [1, 2, 3].map((id) => broker(id, { last_heartbeat_at: T0 + 24_000, rack: "ignored" })),
      });
      expect(await (await h.push(later)).json()).toMatchObject({
        applied: false,
        reason: "equal",
        refreshed: true,
      });
      h.clock.now = T0 + 40_000;
      const health = (await (await h.get("/cluster/health")).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: "healthy", observed_at: T0 + 25_000, age_ms: 15_000 });
      const b = (await (await h.get("/brokers/1")).json()) as { broker: Record<string, unknown> };
      expect(b.broker).toMatchObject({
        last_heartbeat_at: T0 + 24_000,
        last_heartbeat_age_ms: 1000,
        rack: null,
      });
    });

    it("acknowledges an older tag without applying it", async () => {
      await h.push(tagged(3, 100));
      const res = await h.push(tagged(3, 99, { brokers: [broker(1)] }));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ applied: false, reason: "older" });
      expect(await (await h.push(tagged(2, 1000))).json()).toMatchObject({ applied: false, reason: "older" });
      expect(await brokerIds(h)).toEqual([1, 2, 3]);
      expect(await storedVersion(h)).toEqual({ term: 3, applied_index: 100 });
    });

    it("keeps the newer tag when two leaders of different terms push concurrently, in either order", async () => {
      const oldLeader = tagged(3, 200, {
        brokers: [broker(1), broker(2), broker(3)],
        meta: { leader_id: 1, term: 3, commit_index: 200, voters: [1, 2, 3] },
      });
      const newLeader = tagged(4, 150, {
        brokers: [broker(1), broker(2), broker(3), broker(5)],
        meta: { leader_id: 2, term: 4, commit_index: 150, voters: [1, 2, 3] },
      });
      for (const order of [
        [oldLeader, newLeader],
        [newLeader, oldLeader],
      ]) {
        await h.db().reset();
        for (let round = 0; round < 3; round++) {
          const results = await Promise.all(order.map((s) => h.push(s)));
          expect(results.map((r) => r.status)).toEqual([200, 200]);
        }
        expect(await storedVersion(h)).toEqual({ term: 4, applied_index: 150 });
        expect(await brokerIds(h)).toEqual([1, 2, 3, 5]);
        const health = (await (await h.get("/cluster/health")).json()) as { meta: { leader_id: number } };
        expect(health.meta.leader_id).toBe(2);
      }
    });

    it("keeps each cluster's mirror apart", async () => {
      await h.push(tagged(3, 100));
      await h.push(tagged(1, 5, { cluster_id: "other-cluster", brokers: [broker(7)] }), {
        secret: OTHER_SECRET,
      });
      const res = await h.get("/brokers?cluster=other-cluster");
      expect(((await res.json()) as { brokers: { id: number }[] }).brokers.map((b) => b.id)).toEqual([7]);
      expect(await (await h.push(tagged(3, 100))).json()).toMatchObject({ reason: "equal" });
    });

    it("writes nothing when the transaction fails half-way", async () => {
      await h.push(tagged(3, 100));
      // A trigger makes the last insert of the push fail, after the version, cluster and broker writes.
      const db = h.db().handle.db;
      await db.execute(
        sql.raw(`create function chronik_test_boom() returns trigger language plpgsql as $$
          begin if new.topic = 'boom' then raise exception 'boom'; end if; return new; end $$`),
      );
      await db.execute(
        sql.raw(
          "create trigger chronik_test_boom before insert on partitions for each row execute function chronik_test_boom()",
        ),
      );
      try {
        const bad = tagged(3, 101, {
          brokers: [broker(1)],
          topics: [
            {
              name: "boom",
              id: "t-boom",
              internal: false,
              configs: {},
              partitions: [{ partition: 0, leader: 1, leader_epoch: 0, replicas: [1], isr: [1] }],
            },
          ],
        });
        const res = await h.push(bad);
        expect(res.status).toBe(500);
        expect(await storedVersion(h)).toEqual({ term: 3, applied_index: 100 });
        expect(await brokerIds(h)).toEqual([1, 2, 3]);
        const topics = (await (await h.get("/topics")).json()) as { topics: { name: string }[] };
        expect(topics.topics.map((t) => t.name)).toEqual(["orders"]);
      } finally {
        await db.execute(sql.raw("drop trigger chronik_test_boom on partitions"));
        await db.execute(sql.raw("drop function chronik_test_boom()"));
      }
    });
  });

  describe("POST /v1/mirror validation and signatures", () => {
    it("rejects a signed body that is not a snapshot with 400 and the zod issues, writing nothing", async () => {
      const res = await h.push(JSON.stringify({ cluster_id: "test-cluster", version: { term: 1 } }));
      expect(res.status).toBe(400);
      const body = (await res.json()) as { issues: { path: unknown[] }[] };
      expect(body.issues.length).toBeGreaterThan(0);
      expect(body.issues.some((i) => i.path.join(".") === "version.applied_index")).toBe(true);
      expect((await h.get("/cluster/health")).status).toBe(404);
    });

    it("rejects duplicate keys and out-of-range ids with 400", async () => {
      const dupBroker = await h.push(tagged(1, 1, { brokers: [broker(1), broker(1)] }));
      expect(dupBroker.status).toBe(400);
      const s = tagged(1, 1);
      s.topics[0].partitions[1].partition = 0;
      expect((await h.push(s)).status).toBe(400);
      expect((await h.push(tagged(1, 1, { brokers: [broker(2 ** 31)] }))).status).toBe(400);
      expect((await h.get("/cluster/health")).status).toBe(404);
    });

    it("rejects a body that is not JSON or names no cluster with 400", async () => {
      expect((await h.push("{not json")).status).toBe(400);
      expect((await h.push(JSON.stringify({ version: {} }))).status).toBe(400);
    });

    it("rejects a wrong, missing or malformed signature with 401, writing nothing", async () => {
      const body = JSON.stringify(tagged(3, 100));
      expect((await h.push(body, { secret: "not-the-secret" })).status).toBe(401);
      expect((await h.push(body, { headers: { "x-chronik-signature": "sha256=00" } })).status).toBe(401);
      expect((await h.push(body, { headers: { "x-chronik-signature": "" } })).status).toBe(401);
      expect((await h.push(body, { headers: { "x-chronik-timestamp": "soon" } })).status).toBe(401);
      // Another cluster's secret does not sign for this one.
      expect((await h.push(body, { secret: OTHER_SECRET })).status).toBe(401);
      // A cluster without a configured secret cannot push at all.
      expect((await h.push(tagged(1, 1, { cluster_id: "stranger" }))).status).toBe(401);
      // A body altered after signing.
      const signed = await h.push(body);
      expect(signed.status).toBe(200);
      await h.db().reset();
      const app = h.app();
      const { mirrorPushHeaders } = await import("../../../shared/registry/mirror-signature.ts");
      const headers = await mirrorPushHeaders("test-secret-of-cluster", h.clock.now, body);
      const tampered = body.replace('"applied_index":100', '"applied_index":101');
      const res = await app.request("/v1/mirror", { method: "POST", body: tampered, headers });
      expect(res.status).toBe(401);
      expect((await h.get("/cluster/health")).status).toBe(404);
    });

    it("rejects timestamps outside the replay window, in the past or the future", async () => {
      const s = tagged(3, 100);
      expect((await h.push(s, { timestamp: h.clock.now - 5 * 60_000 - 1 })).status).toBe(401);
      expect((await h.push(s, { timestamp: h.clock.now + 5 * 60_000 + 1 })).status).toBe(401);
      expect((await h.push(s, { timestamp: h.clock.now - 5 * 60_000 })).status).toBe(200);
    });

    it("makes a replayed request harmless inside the window and refuses it outside", async () => {
      const app = h.app();
      const { mirrorPushHeaders } = await import("../../../shared/registry/mirror-signature.ts");
      const body = JSON.stringify(tagged(3, 100));
      const headers = await mirrorPushHeaders("test-secret-of-cluster", h.clock.now, body);
      const send = () => app.request("/v1/mirror", { method: "POST", body, headers });
      expect(await (await send()).json()).toMatchObject({ applied: true });
      expect(await (await send()).json()).toMatchObject({ applied: false, reason: "equal" });
      await h.push(tagged(3, 101, { brokers: [broker(1), broker(2)] }));
      expect(await (await send()).json()).toMatchObject({ applied: false, reason: "older" });
      expect(await brokerIds(h)).toEqual([1, 2]);
      h.clock.now += 5 * 60_000 + 1;
      expect((await send()).status).toBe(401);
    });
  });
}
