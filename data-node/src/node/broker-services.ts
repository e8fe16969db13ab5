import { statfs } from "node:fs/promises";
import { resolve } from "node:path";
import type { NodeConfig } from "../../../shared/config/schema.ts";
import type { Logger } from "../../../shared/log.ts";
import type { GroupCoordinator } from "../groups/coordinator.ts";
import { partitionForGroup } from "../groups/partition-for-group.ts";
import type {
  BrokerContext,
  ConfigEntry,
  LogDirDescription,
  TopicOutcome,
  TopicToCreate,
} from "../kafka/broker-context.ts";
import type { MetadataView, TopicView, UnknownTopicHook } from "../kafka/handlers/metadata.ts";
import { ErrorCode } from "../kafka/protocol/errors.ts";
import { assignableBrokers } from "../meta/assignment.ts";
import { ConfigResolver } from "../meta/config-resolver.ts";
import type { AlterTopicConfigs } from "../meta/topic-config-changes.ts";
import { validateTopicName } from "../meta/topics.ts";
import type { PartitionReplica } from "../partition/partition.ts";
import type { MetaReply } from "./meta-requests.ts";
import type { MetaService } from "./meta-service.ts";
import type { ReplicaManager } from "./replica-manager.ts";

export const OFFSETS_TOPIC = "__consumer_offsets";

// Meta errors (Kafka names) to Kafka error codes.
function errorCodeOf(reply: MetaReply & { ok: false }): number {
  const code = (ErrorCode as Record<string, number>)[reply.error];
  return code ?? ErrorCode.UNKNOWN_SERVER_ERROR;
}

// The node's side of BrokerContext: admin through __meta, data through the local replicas.
export class BrokerServices implements BrokerContext {
  readonly nodeId: number;
  brokerEpoch = -1;
  onGroupActivity?: () => void;
  private producerIds = { next: 0, end: 0 };
  private readonly configs: ConfigResolver;

  constructor(
    private readonly config: NodeConfig,
    private readonly meta: MetaService,
    private readonly replicas: ReplicaManager,
    readonly metadata: MetadataView,
    readonly groups: GroupCoordinator,
    private readonly logger: Logger,
  ) {
    this.nodeId = config.node_id;
    this.configs = new ConfigResolver(config);
  }

  now(): number {
    return Date.now();
  }

  partition(topic: string, partition: number): PartitionReplica | undefined {
    return this.replicas.get(topic, partition);
  }

  private liveBrokers(): number {
    return assignableBrokers(this.meta.state.image).length;
  }

  // Waits until this node's image has applied a change the meta leader reported, so the caller's next
  // request to this node sees it.
  private async caughtUp(reply: MetaReply): Promise<void> {
    if (reply.ok && reply.index !== undefined) {
      await this.meta.state.applied.waitFor(reply.index, AbortSignal.timeout(10_000)).catch(() => undefined);
    }
  }

  // Auto-create (the Metadata handler calls this only with a current image) with the configured
  // replication factor, never less: with too few live brokers the answer stays LEADER_NOT_AVAILABLE,
  // which clients retry, until enough are back (Kafka's auto-create answers the same way).
  onUnknownTopic: UnknownTopicHook = async (name, allowAutoTopicCreation) => {
    if (!allowAutoTopicCreation || !this.config.topic_defaults.auto_create)
      return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (validateTopicName(name)) return ErrorCode.INVALID_TOPIC_EXCEPTION;
    const d = this.config.topic_defaults;
    if (this.liveBrokers() < d.replication_factor) {
      this.logger.info(
        { topic: name, replication_factor: d.replication_factor, live_brokers: this.liveBrokers() },
        "auto-create waits for enough live brokers",
      );
      return ErrorCode.LEADER_NOT_AVAILABLE;
    }
    const [outcome] = await this.createTopics(
      [{ name, numPartitions: d.partitions, replicationFactor: d.replication_factor, configs: {} }],
      false,
    );
    if (outcome.errorCode === ErrorCode.INVALID_REPLICATION_FACTOR) return ErrorCode.LEADER_NOT_AVAILABLE;
    if (outcome.errorCode !== 0 && outcome.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS)
      return outcome.errorCode;
    const view: TopicView | undefined = this.metadata.topic(name);
    // Kafka answers a just-created topic with LEADER_NOT_AVAILABLE; clients retry their metadata.
    return view?.partitions.every((p) => p.leaderId >= 0) ? view : ErrorCode.LEADER_NOT_AVAILABLE;
  };

  async createTopics(topics: TopicToCreate[], validateOnly: boolean): Promise<TopicOutcome[]> {
    const d = this.config.topic_defaults;
    return Promise.all(
      topics.map(async (t): Promise<TopicOutcome> => {
        const reply = await this.meta.request({
          kind: "create_topic",
          name: t.name,
          partitions: t.numPartitions < 0 ? d.partitions : t.numPartitions,
          replicationFactor: t.replicationFactor < 0 ? d.replication_factor : t.replicationFactor,
          configs: t.configs,
          assignments: t.assignments,
          validateOnly,
        });
        if (!reply.ok) return { name: t.name, errorCode: errorCodeOf(reply), errorMessage: reply.message };
        await this.caughtUp(reply);
        return {
          name: t.name,
          errorCode: 0,
          topicId: reply.topicId,
          numPartitions: reply.partitions,
          replicationFactor: reply.replicationFactor,
        };
      }),
    );
  }

  async deleteTopics(names: string[]): Promise<TopicOutcome[]> {
    return Promise.all(
      names.map(async (name): Promise<TopicOutcome> => {
        const reply = await this.meta.request({ kind: "delete_topic", name });
        if (!reply.ok) return { name, errorCode: errorCodeOf(reply), errorMessage: reply.message };
        await this.caughtUp(reply);
        return { name, errorCode: 0 };
      }),
    );
  }

  async createPartitions(
    reqs: { name: string; count: number }[],
    validateOnly: boolean,
  ): Promise<TopicOutcome[]> {
    return Promise.all(
      reqs.map(async ({ name, count }): Promise<TopicOutcome> => {
        const reply = await this.meta.request({
          kind: "create_partitions",
          topic: name,
          totalCount: count,
          validateOnly,
        });
        if (!reply.ok) return { name, errorCode: errorCodeOf(reply), errorMessage: reply.message };
        await this.caughtUp(reply);
        return { name, errorCode: 0 };
      }),
    );
  }

  topicConfigs(name: string): ConfigEntry[] | undefined {
    const t = this.meta.state.image.topic(name);
    return t && this.configs.describeTopic(t.configs);
  }

  describeTopicConfigs(overrides: Record<string, string>): ConfigEntry[] {
    return this.configs.describeTopic(overrides);
  }

  brokerConfigs(): ConfigEntry[] {
    return this.configs.describeBroker();
  }

  async alterTopicConfigs(req: AlterTopicConfigs): Promise<{ errorCode: number; errorMessage?: string }> {
    const reply = await this.meta.request({ kind: "alter_topic_configs", ...req });
    if (!reply.ok) return { errorCode: errorCodeOf(reply), errorMessage: reply.message };
    await this.caughtUp(reply);
    return { errorCode: 0 };
  }

  replicaConfigs(topic: string, partition: number): Readonly<Record<string, string>> | undefined {
    return this.replicas.configs(topic, partition);
  }

  async logDir(): Promise<LogDirDescription> {
    const path = resolve(this.config.data_dir);
    const partitions = this.replicas
      .all()
      .map((r) => ({ topic: r.topic, partition: r.partition, sizeBytes: r.log.sizeBytes() }));
    try {
      const fsStats = await statfs(path);
      return {
        path,
        partitions,
        space: { totalBytes: fsStats.blocks * fsStats.bsize, usableBytes: fsStats.bavail * fsStats.bsize },
      };
    } catch (err) {
      this.logger.warn({ err, path }, "cannot read the data dir's file system");
      return { path, partitions, space: null };
    }
  }

  async allocateProducerId(): Promise<{ errorCode: number; producerId: number; producerEpoch: number }> {
    if (this.producerIds.next >= this.producerIds.end) {
      const reply = await this.meta.request({
        kind: "producer_ids",
        nodeId: this.nodeId,
        brokerEpoch: this.brokerEpoch,
      });
      if (!reply.ok || !reply.producerIdBlock) {
        this.logger.info({ reply }, "could not allocate a producer id block");
        return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
      }
      const b = reply.producerIdBlock;
      this.producerIds = { next: b.firstProducerId, end: b.firstProducerId + b.size };
    }
    return { errorCode: 0, producerId: this.producerIds.next++, producerEpoch: 0 };
  }

  async findCoordinator(groupId: string) {
    const image = this.meta.state.image;
    if (!this.metadata.current()) {
      return {
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        errorMessage: "this broker's metadata is not current",
      };
    }
    if (!image.topic(OFFSETS_TOPIC)) {
      const g = this.config.groups;
      // As Kafka: the offsets topic is created with its full replication factor or not at all.
      const rf = g.offsets_replication_factor;
      if (this.liveBrokers() < rf) {
        return {
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
          errorMessage: `${OFFSETS_TOPIC} needs ${rf} live brokers`,
        };
      }
      const [outcome] = await this.createTopics(
        [
          {
            name: OFFSETS_TOPIC,
            numPartitions: g.offsets_partitions,
            replicationFactor: rf,
            configs: { "cleanup.policy": "compact" },
          },
        ],
        false,
      );
      if (outcome.errorCode !== 0 && outcome.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
        return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: outcome.errorMessage };
      }
    }
    const topic = image.topic(OFFSETS_TOPIC);
    if (!topic) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    const p = topic.partitions[partitionForGroup(groupId, topic.partitions.length)];
    const broker = p.leader === null ? undefined : this.metadata.brokers().find((b) => b.nodeId === p.leader);
    if (!broker)
      return {
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        errorMessage: "the group's coordinator is being elected",
      };
    return { errorCode: 0, coordinator: { nodeId: broker.nodeId, host: broker.host, port: broker.port } };
  }
}
