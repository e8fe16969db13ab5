// Cluster-side observations through kafkajs's admin client: topic creation for clients without an
// admin API, end offsets (ListOffsets), committed offsets (OffsetFetch) and group state
// (DescribeGroups), so every client's test judges its consumers by the same yardstick.
import { withAdmin } from "../../../support/kafka-admin.ts";

const CLIENT_ID = "e2e-admin";

export async function createTopic(bootstrap: string, topic: string, partitions = 3, rf = 3): Promise<void> {
  await withAdmin(bootstrap.split(","), CLIENT_ID, async (admin) => {
    await admin.createTopics({
      waitForLeaders: true,
      timeout: 30_000,
      topics: [{ topic, numPartitions: partitions, replicationFactor: rf }],
    });
  });
}

// How many partitions of the topic have a leader, from a fresh Metadata call.
export async function leadersKnown(bootstrap: string, topic: string): Promise<number> {
  return withAdmin(bootstrap.split(","), CLIENT_ID, async (admin) => {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    return md.topics[0]?.partitions.filter((p) => p.leader >= 0).length ?? 0;
  });
}

export async function endOffsets(bootstrap: string, topic: string): Promise<Map<number, number>> {
  return withAdmin(bootstrap.split(","), CLIENT_ID, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  });
}

// -1 for a partition without a committed offset.
export async function committedOffsets(
  bootstrap: string,
  group: string,
  topic: string,
): Promise<Map<number, number>> {
  return withAdmin(bootstrap.split(","), CLIENT_ID, async (admin) => {
    const res = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const parts = res.find((t) => t.topic === topic)?.partitions ?? [];
    return new Map(parts.map((p) => [p.partition, Number(p.offset)]));
  });
}

export interface GroupView {
  state: string;
  protocol: string;
  members: number;
}

export async function describeGroup(bootstrap: string, group: string): Promise<GroupView> {
  return withAdmin(bootstrap.split(","), CLIENT_ID, async (admin) => {
    const res = await admin.describeGroups([group]);
    const g = res.groups[0];
    return { state: g?.state ?? "", protocol: g?.protocol ?? "", members: g?.members.length ?? 0 };
  });
}

export async function listGroups(bootstrap: string): Promise<string[]> {
  return withAdmin(bootstrap.split(","), CLIENT_ID, async (admin) =>
    (await admin.listGroups()).groups.map((g) => g.groupId),
  );
}
