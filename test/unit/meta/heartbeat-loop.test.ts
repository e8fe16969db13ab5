import { describe, expect, it } from "vitest";
import type { HeartbeatReply } from "../../../data-node/src/meta/broker-requests.ts";
import { type HeartbeatLoopDeps, runHeartbeats } from "../../../data-node/src/meta/heartbeat-loop.ts";
import { LeaderWatch } from "../../../data-node/src/meta/leader-watch.ts";
import type { BrokerHeartbeat } from "../../../data-node/src/meta/liveness.ts";
import { silentLogger } from "../../../shared/log.ts";
import { captureLogger, INFO } from "./log-capture.ts";

const OK: HeartbeatReply = { fenced: false, caughtUp: true, shuttingDown: false };

describe("runHeartbeats", () => {
  it("beats to the current leader every interval, waiting out leaderless spells, until aborted", async () => {
    const { logger, lines } = captureLogger();
    const leader = new LeaderWatch();
    const controller = new AbortController();
    const sent: [number, BrokerHeartbeat][] = [];
    const sleeps: number[] = [];
    let applied = 5;
    const deps: HeartbeatLoopDeps = {
      nodeId: 2,
      brokerEpoch: 7,
      getAppliedIndex: () => applied,
      getMetaLeader: () => leader.get(),
      isLocalLeader: () => leader.get() === 2,
      sendLocal: async (hb) => {
        sent.push([2, hb]);
        return OK;
      },
      forward: async (id, hb) => {
        sent.push([id, hb]);
        if (sent.length === 2) throw new Error("stream reset");
        if (sent.length === 3) throw new Error("stream reset");
        return OK;
      },
      waitForLeaderChange: (signal) => leader.waitForChange(signal),
      onReply: () => {},
      sleep: async (ms) => {
        sleeps.push(ms);
        applied++;
        if (sleeps.length === 4) leader.set(2);
        if (sleeps.length === 6) controller.abort();
      },
      logger,
      signal: controller.signal,
    };
    const run = runHeartbeats(deps);
    await Promise.resolve();
    expect(sent).toEqual([]);
    leader.set(3);
    await run;
    expect(sent.map(([to, hb]) => [to, hb.appliedIndex])).toEqual([
      [3, 5],
      [3, 6],
      [3, 7],
      [3, 8],
      [2, 9],
      [2, 10],
    ]);
    expect(sent.every(([, hb]) => hb.brokerEpoch === 7 && hb.nodeId === 2)).toBe(true);
    expect(sleeps).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
    // Repeated identical failures are logged once, and recovery once.
    const info = lines.filter((l) => l.level === INFO).map((l) => l.msg);
    expect(info).toEqual([
      "heartbeat: waiting for __meta leader",
      "heartbeats reaching the __meta leader",
      "heartbeat failed",
      "heartbeats reaching the __meta leader",
    ]);
  });

  it("returns when the leader says this incarnation must register again", async () => {
    const replies: HeartbeatReply[] = [];
    const leader = new LeaderWatch();
    leader.set(1);
    await runHeartbeats({
      nodeId: 2,
      brokerEpoch: 7,
      getAppliedIndex: () => 0,
      getMetaLeader: () => leader.get(),
      isLocalLeader: () => false,
      sendLocal: async () => OK,
      forward: async () => ({ ...OK, error: "STALE_BROKER_EPOCH", fenced: true }),
      waitForLeaderChange: (s) => leader.waitForChange(s),
      onReply: (r) => replies.push(r),
      sleep: async () => {},
      logger: silentLogger,
      signal: new AbortController().signal,
    });
    expect(replies.map((r) => r.error)).toEqual(["STALE_BROKER_EPOCH"]);
  });
});
