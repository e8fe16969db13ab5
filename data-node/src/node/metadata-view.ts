import type { BrokerView, MetadataView, TopicView } from "../kafka/handlers/metadata.ts";
import type { TopicState } from "../meta/image.ts";
import type { MetaState } from "../meta/meta-state.ts";

const LISTENER = "PLAINTEXT";
const LEADER_NOT_AVAILABLE = 5;

// The Metadata API's view of the __meta image: unfenced brokers only, the meta leader as controller,
// partition leaders and ISRs as their Raft leaders last reported them.
export function metadataViewOf(state: MetaState, clusterId: string): MetadataView {
  const image = state.image;
  const topicView = (t: Readonly<TopicState>): TopicView => ({
    name: t.name,
    topicId: t.id,
    isInternal: t.internal,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partition,
      leaderId: p.leader ?? -1,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      errorCode: p.leader === null ? LEADER_NOT_AVAILABLE : 0,
    })),
  });
  return {
    clusterId: () => clusterId,
    controllerId: () => state.leader.get() ?? -1,
    brokers: () =>
      image
        .brokers()
        .filter((b) => b.state === "unfenced")
        .flatMap((b): BrokerView[] => {
          const l = b.listeners.find((x) => x.name === LISTENER) ?? b.listeners[0];
          return l ? [{ nodeId: b.nodeId, host: l.host, port: l.port, rack: b.rack }] : [];
        }),
    topics: () => image.topics().map(topicView),
    topic: (name) => {
      const t = image.topic(name);
      return t ? topicView(t) : undefined;
    },
  };
}
