import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";
import { controllerTick } from "./fencing.ts";
import { type ApplyResult, MetaImage } from "./image.ts";
import { IndexWaiter } from "./index-waiter.ts";
import { LeaderWatch } from "./leader-watch.ts";
import { DEFAULT_SESSION_TIMEOUT_MS, HeartbeatTracker } from "./liveness.ts";
import type { Readiness } from "./readiness.ts";
import type { MetaRecord } from "./records.ts";
import { toRegistrySnapshot } from "./registry-snapshot.ts";

// Everything a node keeps about __meta, in one place for the runtime to drive: the image (replicated
// state), the leader's heartbeat table (soft state), the applied-index and leader-change waiters.
// The runtime calls: applyEntry/markApplied from the apply loop, restore on InstallSnapshot,
// setLeader on every Raft leader/term change, and tick on a timer while this node leads.

export class MetaState {
  readonly image = new MetaImage();
  readonly heartbeats = new HeartbeatTracker();
  readonly applied = new IndexWaiter();
  readonly leader = new LeaderWatch();
  private term = 0;
  private commitIndex = 0;
  // The index of this node's first entry as leader (its no-op): until the image has applied it, the
  // image may miss entries earlier leaders committed, so it must not be acted upon.
  private termStartIndex = Number.POSITIVE_INFINITY;

  constructor(
    readonly opts: {
      nodeId: number;
      clusterId: string;
      voters: readonly number[];
      sessionTimeoutMs?: number;
      // When given, "meta_leader_known" and "unfenced" (for this node's broker) are kept current.
      readiness?: Readiness;
    },
  ) {}

  get sessionTimeoutMs(): number {
    return this.opts.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  }

  isLeader(): boolean {
    return this.leader.get() === this.opts.nodeId;
  }

  applyEntry(data: Uint8Array, index: number, term: number): ApplyResult[] {
    const results = this.image.applyEntry(data, index, term);
    this.applied.advance(index);
    this.opts.readiness?.set("unfenced", this.image.broker(this.opts.nodeId)?.state === "unfenced");
    return results;
  }

  // For committed __meta entries that carry no records (no-ops, membership changes).
  markApplied(index: number, term: number): void {
    this.image.markApplied(index, term);
    this.applied.advance(index);
  }

  restore(snapshot: Uint8Array): void {
    this.image.restore(snapshot);
    this.applied.advance(this.image.appliedIndex);
    this.opts.readiness?.set("unfenced", this.image.broker(this.opts.nodeId)?.state === "unfenced");
  }

  // termStartIndex: when this node became leader, the index of its first entry of the term.
  setLeader(leaderId: number | undefined, term: number, now: number, termStartIndex?: number): void {
    const wasLeader = this.isLeader();
    this.term = term;
    if (leaderId !== this.opts.nodeId) this.termStartIndex = Number.POSITIVE_INFINITY;
    else if (!wasLeader) this.termStartIndex = termStartIndex ?? Number.POSITIVE_INFINITY;
    this.leader.set(leaderId);
    this.opts.readiness?.set("meta_leader_known", this.leader.get() !== undefined);
    if (this.isLeader() && !wasLeader) this.heartbeats.becameLeader(now);
  }

  setCommitIndex(index: number): void {
    this.commitIndex = Math.max(this.commitIndex, index);
  }

  // Leading, with an image that includes everything committed before this term.
  leaderCaughtUp(): boolean {
    return this.isLeader() && this.applied.current >= this.termStartIndex;
  }

  // Resolves once leaderCaughtUp() (at once if so); rejects when the signal fires or leadership is lost.
  async waitLeaderCaughtUp(signal?: AbortSignal): Promise<void> {
    if (!this.isLeader()) throw new Error("not the __meta leader");
    await this.applied.waitFor(this.termStartIndex, signal);
  }

  // The controller's periodic decisions; empty unless this node leads __meta with a caught-up image.
  tick(now: number): MetaRecord[] {
    if (!this.leaderCaughtUp()) return [];
    return controllerTick({
      image: this.image,
      heartbeats: this.heartbeats,
      now,
      sessionTimeoutMs: this.sessionTimeoutMs,
    });
  }

  registrySnapshot(now: number): RegistrySnapshot {
    return toRegistrySnapshot(this.image, {
      clusterId: this.opts.clusterId,
      term: this.term,
      commitIndex: this.commitIndex,
      leaderId: this.leader.get(),
      voters: this.opts.voters,
      sessionTimeoutMs: this.sessionTimeoutMs,
      now,
      heartbeats: this.isLeader()
        ? this.heartbeats.livenessTimes(this.image.brokers().map((b) => b.nodeId))
        : undefined,
    });
  }
}
