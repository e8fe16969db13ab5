import type { HeartbeatReply, PlanError } from "../meta/broker-requests.ts";
import type { BrokerHeartbeat } from "../meta/liveness.ts";
import type { ReplicaAssignment } from "../meta/manual-assignment.ts";
import type { PartitionChange, RegisterBroker } from "../meta/records.ts";
import type { AlterTopicConfigs } from "../meta/topic-config-changes.ts";

// Requests any node may make of the __meta leader; a follower forwards them over the transport
// (JSON in the Forward RPC). The leader validates against its image, proposes records, and answers
// once they are committed and applied.
export type MetaRequest =
  | { kind: "register"; record: RegisterBroker }
  | { kind: "heartbeat"; heartbeat: BrokerHeartbeat }
  | {
      kind: "create_topic";
      name: string;
      partitions: number;
      replicationFactor: number;
      configs: Record<string, string>;
      assignments?: ReplicaAssignment[];
      validateOnly: boolean;
    }
  | { kind: "delete_topic"; name: string }
  | { kind: "create_partitions"; topic: string; totalCount: number; validateOnly: boolean }
  | ({ kind: "alter_topic_configs" } & AlterTopicConfigs)
  | { kind: "partition_changes"; changes: PartitionChange[] }
  | { kind: "producer_ids"; nodeId: number; brokerEpoch: number }
  | { kind: "controlled_shutdown"; nodeId: number; brokerEpoch: number };

// `error` is a Kafka-style name (e.g. TOPIC_ALREADY_EXISTS) or NOT_LEADER when the node asked has
// stopped leading __meta; the caller then asks the new leader.
export type MetaReply =
  | {
      ok: true;
      brokerEpoch?: number;
      index?: number;
      heartbeat?: HeartbeatReply;
      producerIdBlock?: { firstProducerId: number; size: number };
      topicId?: string;
      partitions?: number;
      replicationFactor?: number;
      // controlled_shutdown: the partitions this broker leads that another replica can take over.
      movable?: { topic: string; partition: number }[];
      // partition_changes: those the state machine refused (a stale epoch, a shutting-down leader).
      refused?: { topic: string; partition: number; error: string; message: string }[];
    }
  | { ok: false; error: PlanError["error"] | string; message?: string; leaderId?: number };

export const encodeJson = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));
export const decodeJson = <T>(b: Uint8Array): T =>
  JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8")) as T;
