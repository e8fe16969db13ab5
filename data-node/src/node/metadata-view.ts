import type { BrokerView, MetadataView, TopicView } from "../kafka/handlers/metadata.ts";
import type { TopicState } from "../meta/image.ts";
import type { MetaState } from "../meta/meta-state.ts";

const LISTENER = "PLAINTEXT";
const LEADER_NOT_AVAILABLE = 5;

// Brokers clients may be sent to: unfenced ones, and those in controlled shutdown, which still lead
// partitions until their leaderships have moved (as in KRaft, where only fencing hides a broker).
const LISTED = new Set(["unfenced", "shutting_down"]);

// The Metadata API's view of the __meta image: live brokers only, the meta leader as controller,
// partition leaders and ISRs as their Raft leaders last reported them.
export function metadataViewOf(state: MetaState, clusterId: string, current: () => boolean): MetadataView {
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
    current,
    clusterId: () => clusterId,
    controllerId: () => state.leader.get() ?? -1,
    brokers: () =>
      image
        .brokers()
        .filter((b) => LISTED.has(b.state))
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
