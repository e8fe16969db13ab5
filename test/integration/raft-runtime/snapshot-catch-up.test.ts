import { afterEach, expect, test } from "vitest";
import { type Entry, EntryType, type Snapshot } from "../../../data-node/src/raft/types.ts";
import type { RaftGroup, StateMachine } from "../../../data-node/src/raft-runtime/group.ts";
import type { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { waitFor } from "../../support/poll.ts";
import { GrpcCluster } from "./harness.ts";

// A state machine that sums the numbers proposed to it and can be snapshotted.
class Sum implements StateMachine {
  total = 0;
  applied = 0;
  restores = 0;
  apply(entries: readonly Entry[]): void {
    for (const e of entries) {
      this.applied = e.index;
      if (e.type === EntryType.Normal && e.data.byteLength > 0)
        this.total += Buffer.from(e.data).readUInt32BE(0);
    }
  }
  restore(s: Snapshot): { nextOffset?: number } {
    this.total = Buffer.from(s.data).readUInt32BE(0);
    this.applied = s.metadata.index;
    this.restores++;
    return {};
  }
  snapshotData(): Uint8Array {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(this.total);
    return b;
  }
}

const num = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

let cluster: GrpcCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

test("a follower that was down while the leader compacted its log catches up by snapshot over gRPC", async () => {
  cluster = new GrpcCluster([1, 2, 3]);
  await cluster.bootAll();
  const sms = new Map<number, Sum>();
  const groups = new Map<number, { log: DurableLog; group: RaftGroup }>();
  for (const id of [1, 2, 3]) {
    const sm = new Sum();
    sms.set(id, sm);
    const log = await cluster.openLog(id, "sum", false);
    const group = await cluster.runtimes
      .get(id)!
      .createGroup("sum", log, sm, { voters: [1, 2, 3], learners: [] }, { campaign: id === 1 });
    groups.set(id, { log, group });
  }
  const leaderId = await waitFor("a leader", () =>
    [1, 2, 3].find((id) => groups.get(id)!.group.status().role === "leader"),
  );
  const leader = groups.get(leaderId)!;
  const lagging = [1, 2, 3].find((id) => id !== leaderId)!;

  await cluster.crash(lagging);
  let expected = 0;
  for (let i = 1; i <= 200; i++) {
    expected += i;
    const p = leader.group.propose(num(i));
    if (!p.ok) throw new Error("lost leadership");
    await p.committed;
  }
  // Snapshot the leader's state machine and compact its log behind it, as __meta does.
  const sm = sms.get(leaderId)!;
  const index = sm.applied;
  await leader.log.saveSnapshot({
    metadata: { index, term: leader.group.status().term, confState: leader.group.node.confState() },
    data: sm.snapshotData(),
  });
  await leader.log.compact(index);
  expect(leader.log.firstIndex()).toBeGreaterThan(1);

  await cluster.boot(lagging);
  const fresh = new Sum();
  const reopened = await cluster.runtimes
    .get(lagging)!
    .createGroup("sum", await cluster.openLog(lagging, "sum", false), fresh, {
      voters: [1, 2, 3],
      learners: [],
    });
  await waitFor("the lagging follower to reach the leader's total", () => fresh.total === expected);
  expect(fresh.restores).toBe(1);
  expect(reopened.status().commit).toBeGreaterThanOrEqual(index);
});
