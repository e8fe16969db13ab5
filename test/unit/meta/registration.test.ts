import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF } from "../../../data-node/src/meta/backoff.ts";
import { LeaderWatch } from "../../../data-node/src/meta/leader-watch.ts";
import { Readiness } from "../../../data-node/src/meta/readiness.ts";
import type { RegisterBroker } from "../../../data-node/src/meta/records.ts";
import {
  type RegisterOutcome,
  type RegistrationDeps,
  runRegistration,
} from "../../../data-node/src/meta/registration.ts";
import { silentLogger } from "../../../shared/log.ts";
import { reg } from "./fixtures.ts";
import { captureLogger, INFO } from "./log-capture.ts";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// Lets pending promise callbacks run (no timers involved).
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

type Harness = {
  deps: RegistrationDeps;
  leader: LeaderWatch;
  forwards: number[];
  locals: number;
  sleeps: number[];
  randoms: number[];
  applied: Map<number, { promise: Promise<void>; resolve: () => void }>;
};

function harness(
  nodeId: number,
  forward: (leaderId: number, record: RegisterBroker, h: Harness) => Promise<RegisterOutcome>,
  over: Partial<RegistrationDeps> = {},
): Harness {
  const leader = new LeaderWatch();
  const randomValues = [0.2, 0.9, 0.5, 0.1, 0.7, 0.3];
  const h: Harness = {
    leader,
    forwards: [],
    locals: 0,
    sleeps: [],
    randoms: [],
    applied: new Map(),
    deps: undefined as unknown as RegistrationDeps,
  };
  h.deps = {
    record: reg(nodeId),
    getMetaLeader: () => leader.get(),
    isLocalLeader: () => leader.get() === nodeId,
    proposeLocal: async () => {
      h.locals++;
      return { ok: true, brokerEpoch: 12, index: 12 };
    },
    forward: (id, record) => {
      h.forwards.push(id);
      return forward(id, record, h);
    },
    waitForLeaderChange: (signal) => leader.waitForChange(signal),
    waitForApplied: (index) => {
      const d = deferred();
      h.applied.set(index, d);
      return d.promise;
    },
    random: () => {
      const v = randomValues[h.randoms.length % randomValues.length];
      h.randoms.push(v);
      return v;
    },
    sleep: async (ms) => {
      h.sleeps.push(ms);
    },
    logger: silentLogger,
    ...over,
  };
  return h;
}

describe("runRegistration", () => {
  it("waits for a leader, follows leader changes, backs off with jitter, and resolves after catch-up", async () => {
    const { logger, lines } = captureLogger();
    let calls = 0;
    const h = harness(
      1,
      async (leaderId, _record, h) => {
        calls++;
        if (calls === 1) {
          // Leadership moves while the request is in flight; the old leader refuses.
          expect(leaderId).toBe(3);
          h.leader.set(2);
          return { ok: false, error: "NOT_LEADER_OR_FOLLOWER", message: "leader is 2" };
        }
        if (calls === 2) throw new Error("connect ECONNREFUSED 127.0.0.1:9193");
        return { ok: true, brokerEpoch: 17, index: 17 };
      },
      { logger },
    );
    const readiness = new Readiness(["registered", "metadata_caught_up"], silentLogger);
    h.deps.readiness = readiness;
    let result: { epoch: number; index: number } | undefined;
    const run = runRegistration(h.deps).then((r) => {
      result = r;
      return r;
    });

    await settle();
    expect(h.forwards).toEqual([]);
    h.leader.set(0); // Raft's "no leader" is not a leader.
    await settle();
    expect(h.forwards).toEqual([]);
    h.leader.set(3);
    await settle();

    expect(h.forwards).toEqual([3, 2, 2]);
    expect(h.applied.has(17)).toBe(true);
    expect(readiness.isMet("registered")).toBe(true);
    expect(result).toBeUndefined(); // not before the local image has applied the registration
    h.applied.get(17)!.resolve();
    await expect(run).resolves.toEqual({ epoch: 17, index: 17 });
    expect(readiness.status()).toEqual({ ready: true, waiting_for: [] });

    // Two failures, two backoffs: exponential base, reduced by the injected jitter.
    expect(h.sleeps).toEqual([
      backoffDelay(1, DEFAULT_BACKOFF, () => 0.2),
      backoffDelay(2, DEFAULT_BACKOFF, () => 0.9),
    ]);
    expect(h.sleeps).toEqual([Math.round(50 * (1 - 0.5 * 0.2)), Math.round(100 * (1 - 0.5 * 0.9))]);

    const info = lines.filter((l) => l.level === INFO);
    expect(info.filter((l) => l.msg === "waiting for __meta leader").length).toBeGreaterThanOrEqual(1);
    const attempts = info.filter((l) => l.msg === "registering broker");
    expect(attempts.map((l) => [l.attempt, l.leader, l.via])).toEqual([
      [1, 3, "forward"],
      [2, 2, "forward"],
      [3, 2, "forward"],
    ]);
    const failures = info.filter((l) => l.msg === "registration attempt failed");
    expect(failures.map((l) => l.reason)).toEqual([
      "NOT_LEADER_OR_FOLLOWER: leader is 2",
      "connect ECONNREFUSED 127.0.0.1:9193",
    ]);
    expect(failures.map((l) => l.retry_in_ms)).toEqual(h.sleeps);
  });

  it("proposes locally when this node leads and never forwards", async () => {
    const h = harness(3, async () => {
      throw new Error("must not forward");
    });
    h.leader.set(3);
    const run = runRegistration(h.deps);
    await settle();
    h.applied.get(12)!.resolve();
    await expect(run).resolves.toEqual({ epoch: 12, index: 12 });
    expect(h.locals).toBe(1);
    expect(h.forwards).toEqual([]);
  });

  it("keeps retrying a refused duplicate registration with growing, capped delays", async () => {
    let calls = 0;
    const h = harness(1, async () => {
      calls++;
      if (calls <= 9) return { ok: false, error: "DUPLICATE_BROKER_REGISTRATION" };
      return { ok: true, brokerEpoch: 40, index: 41 };
    });
    h.deps.random = () => 0;
    h.leader.set(2);
    const run = runRegistration(h.deps);
    await settle();
    await settle();
    h.applied.get(41)!.resolve();
    await expect(run).resolves.toEqual({ epoch: 40, index: 41 });
    expect(h.sleeps).toEqual([50, 100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect(h.forwards.every((id) => id === 2)).toBe(true);
  });

  it("never addresses node 0 or an unknown leader, whatever the leader sequence", async () => {
    const sequence = [undefined, 0, 2, 0, undefined, 3, 0, 0, 2, undefined, 1];
    let cursor = 0;
    const advance = () => h.leader.set(sequence[cursor++]);
    const h = harness(1, async () => {
      advance(); // the request fails because leadership moved on
      return { ok: false, error: "NOT_LEADER_OR_FOLLOWER" };
    });
    h.deps.waitForLeaderChange = async () => advance();
    const run = runRegistration(h.deps);
    for (let i = 0; i < 50 && !h.applied.has(12); i++) await settle();
    h.applied.get(12)!.resolve();
    await expect(run).resolves.toEqual({ epoch: 12, index: 12 });
    expect(cursor).toBe(sequence.length);
    expect(h.forwards).toEqual([2, 3, 2]);
    expect(h.locals).toBe(1); // the sequence ends with this node (1) as leader
  });

  it("stops when aborted while waiting for a leader", async () => {
    const controller = new AbortController();
    const h = harness(1, async () => ({ ok: true, brokerEpoch: 1, index: 1 }), { signal: controller.signal });
    const run = runRegistration(h.deps);
    await settle();
    controller.abort();
    await expect(run).rejects.toThrow(/aborted/);
    expect(h.forwards).toEqual([]);
  });
});
