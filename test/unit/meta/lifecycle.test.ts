import { describe, expect, it } from "vitest";
import type { HeartbeatReply } from "../../../data-node/src/meta/broker-requests.ts";
import { LeaderWatch } from "../../../data-node/src/meta/leader-watch.ts";
import { runBrokerLifecycle } from "../../../data-node/src/meta/lifecycle.ts";
import { Readiness } from "../../../data-node/src/meta/readiness.ts";
import { silentLogger } from "../../../shared/log.ts";
import { reg } from "./fixtures.ts";

describe("runBrokerLifecycle", () => {
  it("registers, heartbeats with the epoch, re-registers when the epoch goes stale, and stops on abort", async () => {
    const leader = new LeaderWatch();
    leader.set(1);
    const controller = new AbortController();
    const readiness = new Readiness(["registered", "metadata_caught_up"], silentLogger);
    const registrations: number[] = [];
    const beats: number[] = [];
    let nextEpoch = 10;
    await runBrokerLifecycle({
      signal: controller.signal,
      readiness,
      onRegistered: (r) => registrations.push(r.epoch),
      registration: {
        record: reg(2),
        getMetaLeader: () => leader.get(),
        isLocalLeader: () => false,
        proposeLocal: async () => ({ ok: false, error: "unused" }),
        forward: async () => {
          const epoch = nextEpoch;
          nextEpoch += 10;
          return { ok: true, brokerEpoch: epoch, index: epoch };
        },
        waitForLeaderChange: (s) => leader.waitForChange(s),
        waitForApplied: async () => {},
        random: () => 0,
        sleep: async () => {},
        logger: silentLogger,
      },
      heartbeats: {
        getAppliedIndex: () => 100,
        getMetaLeader: () => leader.get(),
        isLocalLeader: () => false,
        sendLocal: async () => ({ fenced: false, caughtUp: true, shuttingDown: false }),
        forward: async (_id, hb): Promise<HeartbeatReply> => {
          beats.push(hb.brokerEpoch);
          if (beats.length === 2)
            return { error: "STALE_BROKER_EPOCH", fenced: true, caughtUp: false, shuttingDown: false };
          if (beats.length === 4) {
            expect(readiness.status().ready).toBe(true);
            controller.abort();
          }
          return { fenced: false, caughtUp: true, shuttingDown: false };
        },
        waitForLeaderChange: (s) => leader.waitForChange(s),
        onReply: () => {},
        sleep: async () => {},
        logger: silentLogger,
      },
    });
    expect(registrations).toEqual([10, 20]);
    expect(beats).toEqual([10, 10, 20, 20]);
  });
});
