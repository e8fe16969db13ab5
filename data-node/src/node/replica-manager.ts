import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../../shared/log.ts";
import type { MetaImage } from "../meta/image.ts";
import { type LeadershipInfo, PartitionReplica } from "../partition/partition.ts";
import type { RaftRuntime } from "../raft-runtime/runtime.ts";
import { DurableLog, type DurableLogOptions } from "../storage/durable-log.ts";

const CREATE_CONCURRENCY = 32;

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
  // Segment, retention and fsync settings for a topic's logs (topic configs over broker defaults).
  logOptions: (topicConfigs: Record<string, string>) => Omit<DurableLogOptions, "dir" | "recordBatches">;
  onLeadership: (replica: PartitionReplica, info: LeadershipInfo) => void;
}

interface Hosted {
  replica: PartitionReplica;
  log: DurableLog;
  topicId: string;
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
        if (existing && existing.topicId === t.id) continue;
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

  private dirFor(topic: string, partition: number, topicId: string): string {
    return join(this.o.dataDir, "partitions", `${topic}-${partition}-${topicId.slice(0, 8)}`);
  }

  private async create(
    id: string,
    topic: string,
    topicId: string,
    partition: number,
    replicas: number[],
    configs: Record<string, string>,
  ): Promise<void> {
    const log = await DurableLog.open({
      ...this.o.logOptions(configs),
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
    this.hosted.set(id, { replica, log, topicId });
  }

  private async drop(id: string, h: Hosted): Promise<void> {
    this.o.runtime.removeGroup(id);
    this.hosted.delete(id);
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

  async closeAll(): Promise<void> {
    for (const h of this.hosted.values()) await h.log.close().catch(() => undefined);
  }
}
