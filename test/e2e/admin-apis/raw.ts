// What the admin API tests ask over a socket with the generated codecs, where no client on this
// machine has the call (or shows the field): partition leaders with their epochs, the group
// coordinator, and a partition's batches as the leader serves them.
import { parseBatchHeader, splitBatches } from "../../../data-node/src/kafka/protocol/record-batch.ts";
import { ZERO_UUID } from "../../../data-node/src/kafka/protocol/uuid.ts";
import type { TestCluster, TestNode } from "../../support/cluster.ts";
import { consumerFetch, rawRequest } from "../../support/raw-kafka-client.ts";

export interface PartitionLeader {
  leader: number;
  leaderEpoch: number;
  replicas: number[];
}

// Metadata v12 from `node`: each partition's leader, leader epoch and replicas.
export async function leadersOf(node: TestNode, topic: string): Promise<PartitionLeader[]> {
  const md = await rawRequest(node.kafkaPort, 3, 12, {
    topics: [{ name: topic, topicId: ZERO_UUID }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  return (md.topics[0]?.partitions ?? [])
    .sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => ({ leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes }));
}

// The node coordinating `group` (FindCoordinator v3).
export async function coordinatorOf(cluster: TestCluster, via: TestNode, group: string): Promise<TestNode> {
  const res = await rawRequest(via.kafkaPort, 10, 3, { key: group, keyType: 0, coordinatorKeys: [] });
  if (res.errorCode !== 0) throw new Error(`FindCoordinator ${group}: error ${res.errorCode}`);
  return cluster.node(res.nodeId);
}

// Base offset and partition leader epoch of every batch of partition 0, read from its leader.
export async function batchEpochs(
  leader: TestNode,
  topic: string,
): Promise<{ offset: number; epoch: number }[]> {
  const res = await rawRequest(leader.kafkaPort, 1, 12, consumerFetch(topic, [{ partition: 0 }]));
  const p = res.responses[0].partitions[0];
  if (p.errorCode !== 0) throw new Error(`Fetch ${topic} from node ${leader.id}: error ${p.errorCode}`);
  const records = p.records as Buffer | null;
  if (!records) return [];
  const split = splitBatches(records);
  if (!split.ok) throw new Error(`Fetch ${topic}: ${split.reason}`);
  return split.batches.map((b) => {
    const h = parseBatchHeader(b);
    return { offset: Number(h.baseOffset), epoch: h.partitionLeaderEpoch };
  });
}
