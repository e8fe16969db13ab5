import { describe, expect, it } from "vitest";
import { brokerViews } from "../../../shared/health/brokers.ts";
import { broker, healthySnapshot, T0 } from "./snapshot-fixture.ts";

describe("brokerViews", () => {
  it("describes each broker with liveness and partition counts", () => {
    const s = healthySnapshot({
      brokers: [broker(3, { last_heartbeat_at: T0 - 10_000 }), broker(1), broker(2, { rack: "r2" })],
    });
    s.topics[0].partitions[1].isr = [2];
    const views = brokerViews(s);
    expect(views.map((v) => v.id)).toEqual([1, 2, 3]);
    expect(views[0]).toMatchObject({
      id: 1,
      is_meta_leader: true,
      is_voter: true,
      alive: true,
      broker_epoch: 11,
      incarnation_id: "inc-1",
      raft_address: "127.0.0.1:9192",
      last_heartbeat_age_ms: 500,
      partitions: { led: 1, replicated: 3, under_replicated: 0 },
    });
    expect(views[1]).toMatchObject({
      rack: "r2",
      partitions: { led: 1, replicated: 3, under_replicated: 1 },
    });
    expect(views[2]).toMatchObject({ alive: false, is_meta_leader: false, last_heartbeat_age_ms: 10_000 });
  });
});
