import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GroupCoordinator } from "../../../data-node/src/groups/coordinator.ts";
import type { JoinGroupResult, SyncGroupResult } from "../../../data-node/src/groups/types.ts";
import { flush, GROUP, harness, joinRequest, protocols, track } from "./harness.ts";

type Op =
  | { kind: "join"; who: number }
  | { kind: "sync"; who: number }
  | { kind: "heartbeat"; who: number }
  | { kind: "leave"; who: number }
  | { kind: "commit"; who: number; partition: number; offset: number }
  | { kind: "simpleCommit"; partition: number; offset: number }
  | { kind: "time"; ms: number };

const who = fc.integer({ min: 0, max: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("join" as const), who }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("sync" as const), who }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("heartbeat" as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("leave" as const), who }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("commit" as const),
      who,
      partition: fc.integer({ min: 0, max: 2 }),
      offset: fc.nat(1000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("simpleCommit" as const),
      partition: fc.integer({ min: 0, max: 2 }),
      offset: fc.nat(1000),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("time" as const), ms: fc.integer({ min: 1, max: 8_000 }) }),
  },
);

describe("coordinator properties", () => {
  it("never strands a deferred response and always rebuilds the same offsets from its log", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 80, size: "max" }), async (ops) => {
        const h = harness({ offsetsRetentionCheckIntervalMs: 5_000, offsetsRetentionMs: 40_000 });
        const c = h.coordinator;
        let now = 0;
        // What each simulated client believes: its member id and generation.
        const clients = [0, 1, 2, 3].map(() => ({ memberId: "", generation: -1 }));
        const joins: { done: boolean; value: JoinGroupResult | undefined }[] = [];
        const syncs: { done: boolean; value: SyncGroupResult | undefined }[] = [];
        let lastGeneration = 0;

        for (const o of ops) {
          switch (o.kind) {
            case "join": {
              const client = clients[o.who];
              const p = c.joinGroup(
                joinRequest({
                  memberId: client.memberId,
                  clientId: `c${o.who}`,
                  protocols: protocols("range", "rr"),
                }),
                now,
              );
              const t = track(p);
              joins.push(t);
              p.then((r) => {
                if (r.errorCode === 0 || r.errorCode === 79) client.memberId = r.memberId;
                if (r.errorCode === 0) client.generation = r.generationId;
                if (r.errorCode === 25) client.memberId = "";
              });
              break;
            }
            case "sync": {
              const client = clients[o.who];
              const assignments = [0, 1, 2, 3].map((i) => ({
                memberId: clients[i].memberId,
                assignment: Buffer.from([i]),
              }));
              syncs.push(
                track(
                  c.syncGroup(
                    {
                      groupId: GROUP,
                      memberId: client.memberId,
                      generationId: client.generation,
                      groupInstanceId: null,
                      protocolType: null,
                      protocolName: null,
                      assignments,
                    },
                    now,
                  ),
                ),
              );
              break;
            }
            case "heartbeat": {
              const client = clients[o.who];
              c.heartbeat(
                {
                  groupId: GROUP,
                  memberId: client.memberId,
                  generationId: client.generation,
                  groupInstanceId: null,
                },
                now,
              );
              break;
            }
            case "leave":
              c.leaveGroup(
                { groupId: GROUP, members: [{ memberId: clients[o.who].memberId, groupInstanceId: null }] },
                now,
              );
              break;
            case "commit": {
              const client = clients[o.who];
              await commit(c, GROUP, client.generation, client.memberId, o.partition, o.offset, now);
              break;
            }
            case "simpleCommit":
              await commit(c, "simple", -1, "", o.partition, o.offset, now);
              break;
            case "time": {
              now += o.ms;
              c.tick(now);
              // A timer driven by nextDeadline() must never spin: after a tick nothing is overdue.
              const next = c.nextDeadline();
              expect(next === null || next > now).toBe(true);
              break;
            }
          }
          await flush();

          const state = c.groupState(GROUP);
          const generation = c.generationOf(GROUP);
          // Generations only move forward, until an empty group without offsets is deleted.
          if (state === "Dead") lastGeneration = 0;
          else {
            expect(generation).toBeGreaterThanOrEqual(lastGeneration);
            lastGeneration = generation;
          }
          // Once the join phase is over every JoinGroup has its answer, and outside
          // CompletingRebalance every SyncGroup has its answer.
          if (state !== "PreparingRebalance") expect(joins.every((j) => j.done)).toBe(true);
          if (state !== "CompletingRebalance") expect(syncs.every((s) => s.done)).toBe(true);
        }

        // A coordinator rebuilt from the log agrees on every group's offsets and, once the group has
        // settled (Stable or Empty), on its generation and state.
        const next = new GroupCoordinator({ append: async () => {}, newUuid: () => "x", config: c.config });
        for (let p = 0; p < c.config.offsetsTopicPartitions; p++) next.loadPartition(p, h.recordsOf(p), now);
        for (const groupId of [GROUP, "simple"]) {
          expect(next.fetchOffsets({ groupId, topics: null })).toEqual(
            c.fetchOffsets({ groupId, topics: null }),
          );
        }
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});

function commit(
  c: GroupCoordinator,
  groupId: string,
  generationId: number,
  memberId: string,
  partition: number,
  offset: number,
  now: number,
) {
  return c.commitOffsets(
    {
      groupId,
      generationId,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: null,
      topics: [
        {
          name: "t",
          partitions: [
            {
              partitionIndex: partition,
              committedOffset: BigInt(offset),
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    },
    now,
  );
}
