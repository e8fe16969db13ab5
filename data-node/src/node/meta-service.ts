import { randomUUID } from "node:crypto";
import type { Logger } from "../../../shared/log.ts";
import { handleHeartbeat, planProducerIdBlock, planRegistration } from "../meta/broker-requests.ts";
import { encodeMetaBatch } from "../meta/codec.ts";
import type { ApplyResult } from "../meta/image.ts";
import type { MetaState } from "../meta/meta-state.ts";
import type { MetaRecord } from "../meta/records.ts";
import { planControlledShutdown } from "../meta/shutdown.ts";
import { alterTopicConfigsSchema, planAlterTopicConfigs } from "../meta/topic-config-changes.ts";
import { planCreatePartitions, planCreateTopic, planDeleteTopic } from "../meta/topics.ts";
import { type Entry, EntryType, type Snapshot, type SoftState } from "../raft/types.ts";
import type { RaftGroup, StateMachine } from "../raft-runtime/group.ts";
import { ProposalLostError } from "../raft-runtime/proposals.ts";
import { decodeJson, encodeJson, type MetaReply, type MetaRequest } from "./meta-requests.ts";

export const META_GROUP = "__meta";
// The image is snapshotted and the log compacted behind it every this many applied entries.
export const META_SNAPSHOT_EVERY = 1000;
// How long a request waits for a new leader's image to apply the entries of earlier terms.
const LEADER_CATCH_UP_MS = 5000;

export interface MetaForwarder {
  forward(
    to: number,
    group: string,
    kind: string,
    payload: Uint8Array,
    timeoutMs: number,
  ): Promise<Uint8Array>;
}

// __meta on this node: the state machine its Raft group applies, and the request path to its leader
// (local when this node leads, forwarded over the transport otherwise; never to "node 0").
export class MetaService implements StateMachine {
  group!: RaftGroup;
  private readonly results = new Map<number, ApplyResult[]>();
  private readonly proposed = new Set<number>();
  private snapshotIndex = 0;
  private snapshotting = false;

  constructor(
    readonly state: MetaState,
    private readonly deps: {
      nodeId: number;
      forwarder: MetaForwarder;
      logger: Logger;
      now: () => number;
      // Called after committed entries are applied, so replicas and views can follow the image.
      onApplied: () => void;
    },
  ) {}

  // ---- state machine ----

  apply(entries: readonly Entry[]): void {
    for (const e of entries) {
      if (e.type === EntryType.Normal && e.data.byteLength > 0) {
        const results = this.state.applyEntry(e.data, e.index, e.term);
        if (this.proposed.delete(e.index)) this.results.set(e.index, results);
      } else {
        this.state.markApplied(e.index, e.term);
      }
    }
    this.state.setCommitIndex(this.group.status().commit);
    this.deps.onApplied();
    if (this.state.image.appliedIndex - this.snapshotIndex >= META_SNAPSHOT_EVERY)
      void this.snapshotAndCompact();
  }

  // A snapshot of the image at its applied index, then the log compacted behind it, so the log does
  // not grow forever; a follower that falls behind the compaction point is sent the snapshot.
  private async snapshotAndCompact(): Promise<void> {
    if (this.snapshotting) return;
    this.snapshotting = true;
    const image = this.state.image;
    const index = image.appliedIndex;
    try {
      await this.group.storage.saveSnapshot({
        metadata: { index, term: image.appliedTerm, confState: this.group.node.confState() },
        data: image.snapshot(),
      });
      await this.group.storage.compact(index);
      this.snapshotIndex = index;
      this.deps.logger.info({ index }, "__meta snapshot taken; log compacted");
    } catch (err) {
      this.deps.logger.warn({ err, index }, "__meta snapshot failed; will retry");
    } finally {
      this.snapshotting = false;
    }
  }

  // On start, before the group runs: the image as of the last snapshot; the log replays the rest.
  restoreFrom(storage: { snapshot(): Snapshot }): void {
    const s = storage.snapshot();
    if (s.metadata.index === 0 || s.data.byteLength === 0) return;
    this.state.restore(s.data);
    this.snapshotIndex = s.metadata.index;
  }

  onSoftState(s: SoftState, term: number): void {
    // A new leader's no-op is its last entry when it learns it leads.
    const termStart = s.role === "leader" ? this.group.status().lastIndex : undefined;
    this.state.setLeader(s.leaderId, term, this.deps.now(), termStart);
    this.deps.logger.info({ leader: s.leaderId ?? null, term, role: s.role }, "__meta leader changed");
  }

  restore(snapshot: Snapshot): { nextOffset?: number } {
    this.state.restore(snapshot.data);
    this.deps.onApplied();
    return {};
  }

  // ---- requests ----

  // From any node: asks the current leader, waiting (bounded) for one to be known.
  async request(req: MetaRequest, timeoutMs = 10_000): Promise<MetaReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        return { ok: false, error: "REQUEST_TIMED_OUT", message: "no __meta leader answered in time" };
      const leader = this.state.leader.get();
      if (leader === undefined) {
        await this.waitForLeader(remaining);
        continue;
      }
      let reply: MetaReply;
      try {
        reply =
          leader === this.deps.nodeId
            ? await this.handle(req)
            : decodeJson<MetaReply>(
                await this.deps.forwarder.forward(leader, META_GROUP, req.kind, encodeJson(req), remaining),
              );
      } catch (err) {
        return { ok: false, error: "COORDINATOR_NOT_AVAILABLE", message: (err as Error).message };
      }
      if (reply.ok || reply.error !== "NOT_LEADER") return reply;
      await this.waitForLeader(Math.min(remaining, 500));
    }
  }

  private async waitForLeader(ms: number): Promise<void> {
    const signal = AbortSignal.timeout(Math.max(1, ms));
    await this.state.leader.waitForChange(signal).catch(() => undefined);
  }

  // The Forward RPC handler.
  async handleForwarded(payload: Uint8Array): Promise<Uint8Array> {
    return encodeJson(await this.handle(decodeJson<MetaRequest>(payload)));
  }

  // Leader side: validate against the image, propose, answer once applied.
  async handle(req: MetaRequest): Promise<MetaReply> {
    if (!this.state.isLeader()) return { ok: false, error: "NOT_LEADER", leaderId: this.state.leader.get() };
    // Plans read the image: a new leader first applies what earlier leaders committed.
    if (!this.state.leaderCaughtUp()) {
      try {
        await this.state.waitLeaderCaughtUp(AbortSignal.timeout(LEADER_CATCH_UP_MS));
      } catch {
        return { ok: false, error: "NOT_LEADER", message: "the __meta leader is still catching up" };
      }
      if (!this.state.isLeader())
        return { ok: false, error: "NOT_LEADER", leaderId: this.state.leader.get() };
    }
    const image = this.state.image;
    const ctx = {
      image,
      heartbeats: this.state.heartbeats,
      now: this.deps.now(),
      sessionTimeoutMs: this.state.sessionTimeoutMs,
    };
    switch (req.kind) {
      case "register": {
        const plan = planRegistration(ctx, req.record);
        if ("error" in plan) return { ok: false, error: plan.error, message: plan.message };
        const applied = await this.propose(plan.records);
        if (!applied.ok) return applied;
        const result = applied.results[applied.results.length - 1];
        if (!result.ok) return { ok: false, error: result.error, message: result.message };
        return { ok: true, brokerEpoch: result.brokerEpoch, index: applied.index };
      }
      case "heartbeat": {
        const { reply, records } = handleHeartbeat(ctx, req.heartbeat);
        if (records.length > 0) void this.propose(records);
        return { ok: true, heartbeat: reply };
      }
      case "create_topic": {
        const topicId = randomUUID();
        const plan = planCreateTopic(image, { ...req, topicId });
        if ("error" in plan) return { ok: false, error: plan.error, message: plan.message };
        const partitions = plan.record.partitions.length;
        const replicationFactor = plan.record.partitions[0]?.replicas.length ?? 0;
        if (req.validateOnly) return { ok: true, topicId, partitions, replicationFactor };
        return this.proposeOne(plan.record, { topicId, partitions, replicationFactor });
      }
      case "delete_topic": {
        const plan = planDeleteTopic(image, req.name);
        if ("error" in plan) return { ok: false, error: plan.error, message: plan.message };
        return this.proposeOne(plan.record);
      }
      case "create_partitions": {
        const plan = planCreatePartitions(image, req);
        if ("error" in plan) return { ok: false, error: plan.error, message: plan.message };
        if (req.validateOnly) return { ok: true };
        return this.proposeOne(plan.record);
      }
      case "alter_topic_configs": {
        const parsed = alterTopicConfigsSchema.safeParse(req);
        if (!parsed.success) return { ok: false, error: "INVALID_REQUEST", message: parsed.error.message };
        const plan = planAlterTopicConfigs(image, parsed.data);
        if ("error" in plan) return { ok: false, error: plan.error, message: plan.message };
        if (parsed.data.validateOnly || plan.record === null) return { ok: true };
        return this.proposeOne(plan.record);
      }
      case "partition_changes": {
        if (req.changes.length === 0) return { ok: true };
        const applied = await this.propose(req.changes);
        if (!applied.ok) return applied;
        const refused = req.changes.flatMap((c, i) => {
          const r = applied.results[i];
          return r?.ok === false
            ? [{ topic: c.topic, partition: c.partition, error: r.error, message: r.message }]
            : [];
        });
        return { ok: true, index: applied.index, refused };
      }
      case "controlled_shutdown": {
        const plan = planControlledShutdown(ctx, req.nodeId, req.brokerEpoch);
        if ("error" in plan) return { ok: false, error: plan.error, message: plan.message };
        if (plan.records.length === 0) return { ok: true, movable: plan.movable };
        const applied = await this.propose(plan.records);
        if (!applied.ok) return applied;
        const failed = applied.results.find((r) => !r.ok);
        if (failed && !failed.ok) return { ok: false, error: failed.error, message: failed.message };
        return { ok: true, index: applied.index, movable: plan.movable };
      }
      case "producer_ids": {
        const plan = planProducerIdBlock(image, req);
        if ("error" in plan) return { ok: false, error: plan.error, message: plan.message };
        const applied = await this.propose([plan.record]);
        if (!applied.ok) return applied;
        const r = applied.results[0];
        return r.ok
          ? { ok: true, producerIdBlock: r.producerIdBlock }
          : { ok: false, error: r.error, message: r.message };
      }
    }
  }

  private async proposeOne(
    record: MetaRecord,
    extra: Partial<MetaReply & { ok: true }> = {},
  ): Promise<MetaReply> {
    const applied = await this.propose([record]);
    if (!applied.ok) return applied;
    const r = applied.results[0];
    return r.ok
      ? { ...extra, ok: true, index: applied.index }
      : { ok: false, error: r.error, message: r.message };
  }

  // Leader only: one Raft entry carrying the records; resolves with their apply results.
  async propose(
    records: MetaRecord[],
  ): Promise<{ ok: true; index: number; results: ApplyResult[] } | (MetaReply & { ok: false })> {
    const p = this.group.propose(encodeMetaBatch(records));
    if (!p.ok)
      return {
        ok: false,
        error: "NOT_LEADER",
        leaderId: p.error.kind === "not-leader" ? p.error.leaderId : undefined,
      };
    this.proposed.add(p.index);
    try {
      await p.committed;
    } catch (err) {
      this.proposed.delete(p.index);
      if (err instanceof ProposalLostError) return { ok: false, error: "NOT_LEADER" };
      throw err;
    }
    const results = this.results.get(p.index) ?? [];
    this.results.delete(p.index);
    return { ok: true, index: p.index, results };
  }
}
