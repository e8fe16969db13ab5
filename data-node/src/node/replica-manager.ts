import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../../shared/log.ts";
import type { MetaImage } from "../meta/image.ts";
import { LogControl } from "../partition/log-control.ts";
import { type LeadershipInfo, PartitionReplica } from "../partition/partition.ts";
import type { RaftRuntime } from "../raft-runtime/runtime.ts";
import { cleanupPolicy, compactionSettings } from "../storage/cleaner/settings.ts";
import { DurableLog, type DurableLogOptions } from "../storage/durable-log.ts";

const CREATE_CONCURRENCY = 32;
// Kafka's log.cleaner.dedupe.buffer.size is 128 MiB shared by its cleaner threads; one cleaning runs
// per partition here, each with this much.
const DEFAULT_CLEANER = { mapBytes: 32 * 1024 * 1024, ioBytesPerSec: Infinity };

async function runConcurrently(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

export const partitionGroupId = (topic: string, partition: number) => `${topic}/${partition}`;

export interface ReplicaManagerOptions {
  nodeId: number;
  dataDir: string;
  runtime: RaftRuntime;
  logger: Logger;
  // Every topic config's value for a topic with these overrides (node defaults fill the rest).
  topicConfigs: (overrides: Readonly<Record<string, string>>) => Record<string, string>;
  // Segment, retention and fsync settings for a topic's logs, from its effective configs.
  logOptions: (configs: Readonly<Record<string, string>>) => LogSettings;
  onLeadership: (replica: PartitionReplica, info: LeadershipInfo) => void;
  // The log cleaner's memory and I/O bounds (log.cleaner.dedupe.buffer.size, io.max.bytes.per.second).
  cleaner?: { mapBytes: number; ioBytesPerSec: number };
}

type LogSettings = Omit<DurableLogOptions, "dir" | "recordBatches">;

interface Hosted {
  replica: PartitionReplica;
  log: DurableLog;
  topicId: string;
  // The topic's overrides as last applied, and its effective configs.
  overrides: Readonly<Record<string, string>>;
  configs: Readonly<Record<string, string>>;
}

// Keeps this node's partition replicas in step with the __meta image: a replica (Raft group + log)
// for every partition assigned here, removed when its topic is deleted.
export class ReplicaManager {
  private readonly hosted = new Map<string, Hosted>();
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly o: ReplicaManagerOptions) {}

  get(topic: string, partition: number): PartitionReplica | undefined {
    return this.hosted.get(partitionGroupId(topic, partition))?.replica;
  }

  all(): PartitionReplica[] {
    return [...this.hosted.values()].map((h) => h.replica);
  }

  // The effective topic configs this node's replica of the partition runs with.
  configs(topic: string, partition: number): Readonly<Record<string, string>> | undefined {
    return this.hosted.get(partitionGroupId(topic, partition))?.configs;
  }

  // Called after every __meta apply; runs one reconciliation at a time and coalesces calls.
  reconcile(image: MetaImage): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.reconcileOnce(image);
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async reconcileOnce(image: MetaImage): Promise<void> {
    const wanted = new Set<string>();
    const toCreate: (() => Promise<void>)[] = [];
    for (const t of image.topics()) {
      for (const p of t.partitions) {
        if (!p.replicas.includes(this.o.nodeId)) continue;
        const id = partitionGroupId(t.name, p.partition);
        wanted.add(id);
        const existing = this.hosted.get(id);
        if (existing && existing.topicId === t.id) {
          if (existing.overrides !== t.configs) this.applyConfigs(existing, t.configs);
          continue;
        }
        toCreate.push(async () => {
          if (existing) await this.drop(id, existing);
          await this.create(id, t.name, t.id, p.partition, p.replicas, t.configs);
        });
      }
    }
    // Opening a log costs a few fsyncs; many at once keep a thousand new partitions from queueing
    // behind each other (and a new topic from waiting behind them).
    await runConcurrently(toCreate, CREATE_CONCURRENCY);
    for (const [id, h] of this.hosted) if (!wanted.has(id)) await this.drop(id, h);
  }

  // A topic config change reaches the open log at once: the next append rolls by the new segment
  // settings and the next retention check uses the new limits.
  private applyConfigs(h: Hosted, overrides: Readonly<Record<string, string>>): void {
    h.overrides = overrides;
    h.configs = this.o.topicConfigs(overrides);
    h.log.setOptions(this.o.logOptions(h.configs));
  }

  private dirFor(topic: string, partition: number, topicId: string): string {
    return join(this.o.dataDir, "partitions", `${topic}-${partition}-${topicId.slice(0, 8)}`);
  }

  private async create(
    id: string,
    topic: string,
    topicId: string,
    partition: number,
    replicas: number[],
    overrides: Readonly<Record<string, string>>,
  ): Promise<void> {
    const effective = this.o.topicConfigs(overrides);
    const log = await DurableLog.open({
      ...this.o.logOptions(effective),
      dir: this.dirFor(topic, partition, topicId),
      recordBatches: true,
      logger: this.o.logger,
    });
    const replica = new PartitionReplica(
      topic,
      partition,
      log,
      this.o.logger.child({ topic, partition }),
      this.o.onLeadership,
    );
    const cleaner = this.o.cleaner ?? DEFAULT_CLEANER;
    replica.control = new LogControl(log, {
      logger: this.o.logger.child({ topic, partition }),
      fsync: this.o.logOptions(effective).fsync !== "never",
      limits: () => ({
        ...cleaner,
        segmentBytes: Number(this.hosted.get(id)?.configs["segment.bytes"] ?? effective["segment.bytes"]),
      }),
    });
    // The preferred leader (first replica) campaigns at once on a new log so a new partition does
    // not wait out an election timeout.
    replica.group = await this.o.runtime.createGroup(
      id,
      log,
      replica,
      { voters: [...replicas], learners: [] },
      {
        campaign: replicas[0] === this.o.nodeId,
      },
    );
    this.hosted.set(id, { replica, log, topicId, overrides, configs: effective });
  }

  private async drop(id: string, h: Hosted): Promise<void> {
    this.o.runtime.removeGroup(id);
    h.replica.control?.stop();
    this.hosted.delete(id);
    // A save of the epoch history still under way would otherwise write into a removed directory.
    await h.replica.epochs.settled();
    await h.log.close();
    await rm(h.log.dir, { recursive: true, force: true });
    this.o.logger.info({ group: id }, "partition replica removed");
  }

  // Deletes whole segments past retention.ms / retention.bytes, never beyond what is committed.
  // A follower that falls behind the new log start is caught up by snapshot.
  async enforceRetention(now: number): Promise<void> {
    for (const h of this.hosted.values()) {
      try {
        await h.log.enforceRetention(now, h.replica.group.status().commit);
      } catch (err) {
        this.o.logger.warn(
          { err, topic: h.replica.topic, partition: h.replica.partition },
          "retention check failed",
        );
      }
    }
  }

  // The leaders of compacted topics propose a cleaning where their log needs one (cleaner/plan.ts).
  compactLogs(now: number): void {
    for (const h of this.hosted.values()) {
      if (!h.replica.isLeader || !cleanupPolicy(h.configs).compact) continue;
      h.replica.control?.maybeClean(
        h.replica.group,
        h.replica.highWatermark,
        compactionSettings(h.configs),
        now,
      );
    }
  }

  async closeAll(): Promise<void> {
    for (const h of this.hosted.values()) await h.log.close().catch(() => undefined);
  }
}
