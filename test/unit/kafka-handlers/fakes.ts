import type {
  BrokerContext,
  ConfigEntry,
  TopicOutcome,
  TopicToCreate,
} from "../../../data-node/src/kafka/broker-context.ts";
import type { RequestContext } from "../../../data-node/src/kafka/handler-types.ts";
import type { MetadataView, TopicView } from "../../../data-node/src/kafka/handlers/metadata.ts";
import type { DataReplica } from "../../../data-node/src/kafka/handlers/replica-lookup.ts";
import { codecOf, decode, encode } from "../../../data-node/src/kafka/protocol/codec.ts";
import type { ApiMessages } from "../../../data-node/src/kafka/protocol/generated/apis.ts";
import {
  lastOffsetOf,
  parseBatchHeader,
  setBaseOffset,
} from "../../../data-node/src/kafka/protocol/record-batch.ts";
import { CONFIG_TYPE_ID, ConfigResolver, ConfigSource } from "../../../data-node/src/meta/config-resolver.ts";
import type { AlterTopicConfigs } from "../../../data-node/src/meta/topic-config-changes.ts";
import { type EpochStart, endOffsetForEpoch } from "../../../data-node/src/partition/leader-epochs.ts";
import type {
  FetchOutcome,
  ListOffsetOutcome,
  PartitionReplica,
  ProduceOutcome,
} from "../../../data-node/src/partition/partition.ts";
import { buildTestBatch } from "../../support/batches.ts";
import { testNodeConfig } from "../../support/node-config.ts";

export const rctx = (apiVersion: number): RequestContext => ({
  apiVersion,
  correlationId: 1,
  clientId: "test",
  connectionId: 1,
  remoteAddress: "127.0.0.1:1",
});

export function batchOf(...values: string[]): Buffer {
  return buildTestBatch(
    values.map((_, i) => `k${i}`),
    values,
  );
}

// An in-memory leader log with the PartitionReplica surface the handlers use. Reads behave like the
// durable log: whole batches, at least one, then more while they fit.
export class FakePartition implements DataReplica {
  isLeader = true;
  leaderEpoch = 4;
  highWatermark = 0;
  logStart = 0;
  readonly log: Buffer[] = [];
  readonly produced: { batches: Buffer[]; acks: number; timeoutMs: number }[] = [];
  produceResult: ((batches: Buffer[]) => Promise<ProduceOutcome> | ProduceOutcome) | undefined;
  private readonly waiters = new Set<() => void>();

  append(batch: Buffer): number {
    const copy = Buffer.from(batch);
    const base = this.highWatermark;
    setBaseOffset(copy, BigInt(base));
    this.log.push(copy);
    this.highWatermark = Number(lastOffsetOf(copy)) + 1;
    for (const w of [...this.waiters]) w();
    return base;
  }

  async produce(batches: Buffer[], acks: number, timeoutMs: number): Promise<ProduceOutcome> {
    this.produced.push({ batches, acks, timeoutMs });
    if (this.produceResult) return this.produceResult(batches);
    let baseOffset = -1;
    for (const b of batches) {
      const at = this.append(b);
      if (baseOffset < 0) baseOffset = at;
    }
    return { errorCode: 0, baseOffset, logStartOffset: this.logStart };
  }

  read(offset: number, maxBytes: number, atLeastOne = true): FetchOutcome {
    const base = {
      highWatermark: this.highWatermark,
      logStartOffset: this.logStart,
      records: [] as Buffer[],
      bytes: 0,
    };
    if (!this.isLeader) return { ...base, errorCode: 6 };
    if (offset < this.logStart || offset > this.highWatermark) return { ...base, errorCode: 1 };
    for (const b of this.log) {
      if (Number(lastOffsetOf(b)) < offset) continue;
      if ((base.records.length > 0 || !atLeastOne) && base.bytes + b.length > maxBytes) break;
      base.records.push(b);
      base.bytes += b.length;
    }
    return { ...base, errorCode: 0 };
  }

  waitForData(offset: number, signal: AbortSignal): Promise<void> {
    if (this.highWatermark > offset || !this.isLeader || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        if (this.highWatermark <= offset && !signal.aborted) return;
        this.waiters.delete(wake);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener("abort", wake);
    });
  }

  get waiting(): number {
    return this.waiters.size;
  }

  // Where each epoch starts in this log, for OffsetForLeaderEpoch (the high watermark is its end).
  epochStarts: EpochStart[] = [];

  endOffsetForEpoch(epoch: number): { errorCode: number; leaderEpoch: number; endOffset: number } {
    if (!this.isLeader) return { errorCode: 6, leaderEpoch: -1, endOffset: -1 };
    return { errorCode: 0, ...endOffsetForEpoch(this.epochStarts, epoch, this.highWatermark) };
  }

  listOffset(timestamp: number): ListOffsetOutcome {
    const leaderEpoch = this.leaderEpoch;
    if (!this.isLeader) return { errorCode: 6, offset: -1, timestamp: -1, leaderEpoch: -1 };
    if (timestamp === -2) return { errorCode: 0, offset: this.logStart, timestamp: -1, leaderEpoch };
    if (timestamp === -1) return { errorCode: 0, offset: this.highWatermark, timestamp: -1, leaderEpoch };
    for (const b of this.log) {
      const h = parseBatchHeader(b);
      if (h.maxTimestamp >= BigInt(timestamp))
        return { errorCode: 0, offset: Number(h.baseOffset), timestamp: Number(h.maxTimestamp), leaderEpoch };
    }
    return { errorCode: 0, offset: -1, timestamp: -1, leaderEpoch: -1 };
  }
}

export const TOPIC_ID = "6f1b7c4e-2a9d-4c1e-9b7a-3d5e8f0a1b2c";

// A static broker config of the fake broker.
const brokerEntry = (name: string, value: string): ConfigEntry => ({
  name,
  value,
  readOnly: true,
  isSensitive: false,
  source: ConfigSource.STATIC_BROKER_CONFIG,
  synonyms: [{ name, value, source: ConfigSource.STATIC_BROKER_CONFIG }],
  type: CONFIG_TYPE_ID.string,
  documentation: `${name}, for tests`,
});

export interface FakeContext extends BrokerContext {
  partitions: Map<string, FakePartition>;
  topicViews: Map<string, TopicView>;
  created: { topics: TopicToCreate[]; validateOnly: boolean }[];
  deleted: string[][];
  partitionRequests: { reqs: { name: string; count: number }[]; validateOnly: boolean }[];
  // Config overrides by topic; the node's defaults (a real ConfigResolver) fill in the rest.
  topicOverrides: Map<string, Record<string, string>>;
  alterations: AlterTopicConfigs[];
  nextProducerId: number;
  // False models a node whose metadata image is not current (restarting, fenced, cut off).
  imageCurrent: boolean;
}

// A cluster of `brokers` brokers where this node (id 1) leads every partition it holds.
export function fakeContext(
  opts: {
    brokers?: number;
    defaultPartitions?: number;
    defaultRf?: number;
    port?: () => number;
    createLocal?: boolean;
  } = {},
): FakeContext {
  const brokers = opts.brokers ?? 3;
  // Broker i+1 listens on port()+i; a live server passes its ephemeral port.
  const port = opts.port ?? (() => 9092);
  const topicViews = new Map<string, TopicView>();
  const partitions = new Map<string, FakePartition>();
  const configs = new ConfigResolver(testNodeConfig());
  const metadata: MetadataView = {
    current: () => ctx.imageCurrent,
    clusterId: () => "test-cluster",
    controllerId: () => 1,
    brokers: () =>
      Array.from({ length: brokers }, (_, i) => ({
        nodeId: i + 1,
        host: "127.0.0.1",
        port: port() + i,
        rack: null,
      })),
    topics: () => [...topicViews.values()],
    topic: (name) => topicViews.get(name),
  };
  const ctx: FakeContext = {
    nodeId: 1,
    metadata,
    partitions,
    topicViews,
    created: [],
    deleted: [],
    partitionRequests: [],
    topicOverrides: new Map(),
    alterations: [],
    nextProducerId: 1000,
    imageCurrent: true,
    onUnknownTopic: () => 3,
    partition: (topic, p) => partitions.get(`${topic}-${p}`) as unknown as PartitionReplica | undefined,
    async createTopics(topics, validateOnly) {
      ctx.created.push({ topics, validateOnly });
      return topics.map((t): TopicOutcome => {
        if (!/^[a-zA-Z0-9._-]{1,249}$/.test(t.name))
          return { name: t.name, errorCode: 17, errorMessage: `illegal topic name "${t.name}"` };
        if (topicViews.has(t.name))
          return { name: t.name, errorCode: 36, errorMessage: `topic ${t.name} exists` };
        const numPartitions = t.numPartitions < 0 ? (opts.defaultPartitions ?? 1) : t.numPartitions;
        const replicationFactor = t.replicationFactor < 0 ? (opts.defaultRf ?? 1) : t.replicationFactor;
        if (replicationFactor > brokers) {
          return {
            name: t.name,
            errorCode: 38,
            errorMessage: `Replication factor: ${replicationFactor} larger than available brokers: ${brokers}.`,
          };
        }
        if (!validateOnly) {
          addTopic(ctx, t.name, numPartitions, opts.createLocal ?? false);
          ctx.topicOverrides.set(t.name, { ...t.configs });
        }
        return { name: t.name, errorCode: 0, topicId: TOPIC_ID, numPartitions, replicationFactor };
      });
    },
    async deleteTopics(names) {
      ctx.deleted.push(names);
      return names.map((name) => {
        if (!topicViews.delete(name)) return { name, errorCode: 3, errorMessage: `no topic ${name}` };
        return { name, errorCode: 0 };
      });
    },
    async createPartitions(reqs, validateOnly) {
      ctx.partitionRequests.push({ reqs, validateOnly });
      return reqs.map(({ name, count }) => {
        const t = topicViews.get(name);
        if (!t) return { name, errorCode: 3, errorMessage: `no topic ${name}` };
        if (count <= t.partitions.length)
          return { name, errorCode: 37, errorMessage: `topic has ${t.partitions.length} partitions` };
        return { name, errorCode: 0 };
      });
    },
    topicConfigs: (name) =>
      topicViews.has(name) ? configs.describeTopic(ctx.topicOverrides.get(name) ?? {}) : undefined,
    describeTopicConfigs: (overrides) => configs.describeTopic(overrides),
    brokerConfigs: () => [
      brokerEntry("broker.id", "1"),
      brokerEntry("num.partitions", "3"),
      { ...brokerEntry("ssl.key.password", "secret"), isSensitive: true },
    ],
    async alterTopicConfigs(req) {
      ctx.alterations.push(req);
      if (!topicViews.has(req.topic)) return { errorCode: 3, errorMessage: `no topic ${req.topic}` };
      return { errorCode: 0 };
    },
    replicaConfigs: (topic) =>
      topicViews.has(topic) ? configs.effectiveTopicConfigs(ctx.topicOverrides.get(topic) ?? {}) : undefined,
    async allocateProducerId() {
      return { errorCode: 0, producerId: ctx.nextProducerId++, producerEpoch: 0 };
    },
    async logDir() {
      const hosted = [...partitions.entries()].map(([key, p]) => {
        const at = key.lastIndexOf("-");
        const sizeBytes = p.log.reduce((n, b) => n + b.length, 0);
        return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)), sizeBytes };
      });
      return { path: "/data/node1", partitions: hosted, space: { totalBytes: 1000, usableBytes: 400 } };
    },
    findCoordinator: async () => ({ errorCode: 15 }),
    groups: undefined as unknown as BrokerContext["groups"],
    now: () => Date.now(),
  };
  return ctx;
}

// Adds a topic to the metadata; `local` also gives this node a leader replica of every partition.
export function addTopic(
  ctx: FakeContext,
  name: string,
  count: number,
  local = true,
  isInternal = false,
): FakePartition[] {
  ctx.topicViews.set(name, {
    name,
    topicId: TOPIC_ID,
    isInternal,
    partitions: Array.from({ length: count }, (_, i) => ({
      partitionIndex: i,
      leaderId: local ? 1 : 2,
      leaderEpoch: 4,
      replicaNodes: [1, 2],
      isrNodes: [1, 2],
      errorCode: 0,
    })),
  });
  const out: FakePartition[] = [];
  if (local) {
    for (let i = 0; i < count; i++) {
      const p = new FakePartition();
      ctx.partitions.set(`${name}-${i}`, p);
      out.push(p);
    }
  }
  return out;
}

// Encodes a response body at a version with the generated codec and decodes it again.
export function roundTrip<K extends keyof ApiMessages>(
  apiKey: K,
  body: ApiMessages[K]["response"],
  version: number,
): ApiMessages[K]["response"] {
  const codec = codecOf(apiKey);
  const buf = encode(body, version, codec.sizeResponse, codec.writeResponse);
  return decode(buf, version, codec.readResponse);
}

export function versions<K extends keyof ApiMessages>(apiKey: K): number[] {
  const c = codecOf(apiKey);
  return Array.from({ length: c.maxVersion - c.minVersion + 1 }, (_, i) => c.minVersion + i);
}
