// Committed offsets outlive their coordinator: a group commits, the node coordinating it is killed
// (SIGKILL), and the offsets come back from the new coordinator, to OffsetFetch and to a member.
import { expect } from "vitest";
import type { TestCluster } from "../../../support/cluster.ts";
import { committedOffsets, endOffsets } from "./admin.ts";
import { type ClientUnderTest, sameOffsets, waitExplained, withMembers } from "./client.ts";
import { findCoordinator } from "./platformatic.ts";
import { checkDelivery, messages } from "./records.ts";

export interface FailoverOptions {
  cluster: TestCluster;
  topic: string;
  group: string;
  // The client under test, bound to this topic and group.
  client: ClientUnderTest;
  count?: number;
  logs?: () => string;
}

export async function runCoordinatorFailover(opts: FailoverOptions): Promise<void> {
  const { cluster, topic, group, client } = opts;
  const count = opts.count ?? 1_000;
  const bootstrap = cluster.bootstrap;

  const first = messages("c", 0, count);
  const m1 = await client.startMember("f1");
  await withMembers([m1], async () => {
    await waitExplained(
      "one member owning all 3 partitions",
      [m1],
      opts.logs,
      () => m1.assignment()?.length === 3,
    );
    const placements = await client.produce(first);
    await waitExplained(`${count} messages`, [m1], opts.logs, () => m1.received.length >= count);
    expect(checkDelivery(m1.received, first, { placements }).problems).toEqual([]);
    const end = await endOffsets(bootstrap, topic);
    await waitExplained("committed offsets = end offsets", [m1], opts.logs, async () =>
      sameOffsets(await committedOffsets(bootstrap, group, topic), end),
    );
  });
  const committed = await committedOffsets(bootstrap, group, topic);

  const coordinator = await findCoordinator(bootstrap, group);
  await cluster.kill(coordinator);
  const survivors = cluster.nodes
    .filter((n) => n.id !== coordinator)
    .map((n) => `127.0.0.1:${n.kafkaPort}`)
    .join(",");
  try {
    // Retried only while OffsetFetch fails (no coordinator yet, still loading): the first answer
    // must carry the commits, never "no offset" (which would re-deliver everything).
    const recovered = await waitExplained(
      "OffsetFetch to answer after the coordinator died",
      [],
      opts.logs,
      () => committedOffsets(survivors, group, topic).catch(() => undefined),
    );
    expect(recovered).toEqual(committed);

    const second = messages("d", count, count);
    const placements = await client.produce(second);
    const m2 = await client.startMember("f2");
    await withMembers([m2], async () => {
      await waitExplained(
        `restarted member: ${count} new messages`,
        [m2],
        opts.logs,
        () => m2.received.length >= count,
      );
      expect(checkDelivery(m2.received, second, { startOffsets: committed, placements }).problems).toEqual(
        [],
      );
    });
  } finally {
    cluster.start(coordinator);
    await cluster.waitReady(coordinator, 60_000);
  }
}
