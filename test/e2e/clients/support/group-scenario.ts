// The consumer-group scenario every client runs: three members share a 3-partition topic, read
// 10,000 keyed messages exactly once and in order, commit, stop; more messages follow, and a
// restarted member resumes at the committed offsets.
import { expect } from "vitest";
import { committedOffsets, describeGroup, endOffsets, listGroups } from "./admin.ts";
import { type ClientUnderTest, sameOffsets, waitExplained, withMembers } from "./client.ts";
import { checkDelivery, counts, messages } from "./records.ts";

export interface ScenarioOptions {
  bootstrap: string;
  topic: string;
  group: string;
  first?: number;
  second?: number;
  // Node logs to attach to a failure.
  logs?: () => string;
}

export async function runGroupScenario(client: ClientUnderTest, opts: ScenarioOptions): Promise<void> {
  const first = opts.first ?? 10_000;
  const second = opts.second ?? 1_000;
  const { bootstrap, topic, group } = opts;

  // 1. Three members join; the group settles with one partition each before anything is produced,
  //    so no rebalance can re-deliver and "exactly once" is a fair demand.
  const members = await Promise.all(["m1", "m2", "m3"].map((n) => client.startMember(n)));
  await withMembers(members, async () => {
    await waitExplained("3 members with one partition each", members, opts.logs, () => {
      const owned = members.map((m) => m.assignment() ?? []);
      const all = owned.flat().sort();
      return owned.every((o) => o.length === 1) && JSON.stringify(all) === "[0,1,2]";
    });
    const view = await waitExplained(
      "DescribeGroups: Stable with 3 members",
      members,
      opts.logs,
      async () => {
        const g = await describeGroup(bootstrap, group);
        return g.state === "Stable" && g.members === 3 ? g : undefined;
      },
    );
    expect(view.members).toBe(3);
    expect(await listGroups(bootstrap)).toContain(group);

    // 2. 10,000 keyed messages, acks=all.
    const batchA = messages("a", 0, first);
    const placements = await client.produce(batchA);
    const end = await endOffsets(bootstrap, topic);
    expect([...end.values()].reduce((x, y) => x + y, 0)).toBe(first);

    // 3. Every message once, per partition in offset order, each member on its own partition.
    await waitExplained(`${first} messages across the group`, members, opts.logs, () =>
      members.reduce((n, m) => n + m.received.length, 0) >= first ? true : undefined,
    );
    const all = members.flatMap((m) => m.received.map((r) => ({ ...r, member: m.name })));
    const report = checkDelivery(all, batchA, { placements });
    expect(report.problems).toEqual([]);
    expect(counts(report.perPartition)).toEqual(Object.fromEntries(end));
    for (const m of members) {
      const parts = [...new Set(m.received.map((r) => r.partition))];
      expect(parts, `${m.name} read only its own partition`).toEqual(m.assignment());
    }

    // 4. The group's committed offsets reach the end of every partition (OffsetCommit → OffsetFetch).
    await waitExplained("committed offsets = end offsets", members, opts.logs, async () =>
      sameOffsets(await committedOffsets(bootstrap, group, topic), end) ? true : undefined,
    );
  });

  // 5. With the group stopped, more messages; a restarted member resumes after the commits.
  const committed = await committedOffsets(bootstrap, group, topic);
  const batchB = messages("b", first, second);
  const placementsB = await client.produce(batchB);
  const again = await client.startMember("m4");
  await withMembers([again], async () => {
    await waitExplained(`restarted member: ${second} new messages`, [again], opts.logs, () =>
      again.received.length >= second ? true : undefined,
    );
    const report = checkDelivery(again.received, batchB, {
      startOffsets: committed,
      placements: placementsB,
    });
    expect(report.problems).toEqual([]);
    expect(again.assignment()).toEqual([0, 1, 2]);
    const endB = await endOffsets(bootstrap, topic);
    await waitExplained("committed offsets after the restart = end offsets", [again], opts.logs, async () =>
      sameOffsets(await committedOffsets(bootstrap, group, topic), endB) ? true : undefined,
    );
  });
}
