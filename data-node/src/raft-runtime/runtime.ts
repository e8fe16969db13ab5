import type { Logger } from "../../../shared/log.ts";
import { decodeMessage, encodeMessageParts, type MessageParts } from "../raft/codec.ts";
import type { RandomSource } from "../raft/config.ts";
import type { Ready } from "../raft/raw-node.ts";
import type { ConfState } from "../raft/types.ts";
import { EntryType } from "../raft/types.ts";
import { type GroupStorage, type GroupTiming, RaftGroup, type StateMachine } from "./group.ts";
import { decodeQuiesce, encodeQuiesce, followerMayQuiesce, leaderMayQuiesce } from "./quiesce.ts";
import { cryptoRandom } from "./random.ts";

// Where the runtime sends encoded Raft messages (transport/RaftTransport implements it). A message
// with entries comes as parts, so its entry bytes are copied once, into the frame that is sent.
export interface MessageBus {
  send(to: number, group: string, payload: Uint8Array | MessageParts): void;
  flush(): void;
}

// Makes a log's appended writes durable; batches fsyncs across groups (storage/GroupCommitter).
export interface Committer {
  commit(log: GroupStorage): Promise<void>;
}

export interface RuntimeOptions {
  nodeId: number;
  bus: MessageBus;
  committer: Committer;
  tickMs: number;
  timing: GroupTiming;
  logger: Logger;
  random?: RandomSource;
}

interface Held {
  from: number;
  payload: Uint8Array;
  at: number;
}

// Messages for a group this node has not created yet (its creation is still being applied from
// __meta) wait here briefly instead of being dropped, so a new partition elects without waiting
// out an election timeout.
const HOLD_MS = 5000;
const HOLD_PER_GROUP = 64;

// Drives every Raft group on the node: one ticker, one ready loop, persist-before-send, group
// commit, apply. An idle group costs one tick() per tick and nothing else.
export class RaftRuntime {
  private readonly groups = new Map<string, RaftGroup>();
  private readonly dirty = new Set<RaftGroup>();
  private readonly held = new Map<string, Held[]>();
  private ticker: NodeJS.Timeout | undefined;
  private loopRunning = false;
  private loopScheduled = false;
  private stopped = false;
  private readonly random: RandomSource;
  elections = 0;

  constructor(private readonly o: RuntimeOptions) {
    this.random = o.random ?? cryptoRandom;
  }

  start(): void {
    this.ticker = setInterval(() => this.tick(), this.o.tickMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    for (const g of this.groups.values()) g.waiters.failAll("the node is stopping");
  }

  allGroups(): IterableIterator<RaftGroup> {
    return this.groups.values();
  }

  // Creates (or reopens) a group. A brand-new log is bootstrapped with `conf`; an existing one keeps
  // the configuration it has on disk.
  async createGroup(
    id: string,
    storage: GroupStorage,
    sm: StateMachine,
    conf: ConfState,
    opts: { campaign?: boolean; applied?: number } = {},
  ): Promise<RaftGroup> {
    if (this.groups.has(id)) throw new Error(`raft group ${id} exists already`);
    const initial = storage.initialState().confState;
    if (initial.voters.length === 0 && initial.learners.length === 0) await storage.setConfState(conf);
    const group = new RaftGroup(
      id,
      this.o.nodeId,
      storage,
      sm,
      this.o.timing,
      this.random,
      this.o.logger.child({ group: id }),
      opts.applied,
    );
    // A proposal or leadership request has work for the ready loop now, not at the next tick.
    group.onActivity = () => {
      this.wake(group);
      this.markDirty(group);
    };
    this.groups.set(id, group);
    // A (pre-)campaign: on a new log it skips an election timeout; on a reopened one PreVote and the
    // leader lease make it harmless while a live leader exists.
    if (opts.campaign) group.node.campaign();
    const held = this.held.get(id) ?? [];
    this.held.delete(id);
    for (const h of held) this.deliver(h.from, [{ group: id, payload: h.payload }]);
    this.markDirty(group);
    return group;
  }

  removeGroup(id: string): void {
    const g = this.groups.get(id);
    if (!g) return;
    this.groups.delete(id);
    this.dirty.delete(g);
    g.waiters.failAll("the group was removed from this node");
  }

  // Messages from a peer's transport.
  deliver(from: number, batch: readonly { group: string; payload: Uint8Array }[]): void {
    for (const { group, payload } of batch) {
      const g = this.groups.get(group);
      if (!g) {
        this.hold(group, from, payload);
        continue;
      }
      const notice = decodeQuiesce(payload);
      if (notice) {
        if (followerMayQuiesce(g, from, notice)) g.quiesced = true;
        continue;
      }
      // Heartbeat responses must not reset the idle count of a ticking leader; only a quiesced
      // group is woken by traffic.
      if (g.quiesced) this.wake(g);
      this.stepInto(g, from, payload);
    }
  }

  private wake(g: RaftGroup): void {
    g.quiesced = false;
    g.idleTicks = 0;
  }

  // The transport lost a peer. Groups it led must elect again: the remaining voter with the lowest id
  // campaigns at once (one candidate, so no split vote), the others run their election timers as a
  // fallback in case that candidate cannot win.
  peerDown(peer: number): void {
    for (const g of this.groups.values()) {
      const s = g.status();
      if (s.leaderId !== peer) continue;
      this.wake(g);
      const successor = Math.min(...s.confState.voters.filter((id) => id !== peer));
      if (successor === this.o.nodeId) {
        g.node.campaignNow();
        this.markDirty(g);
      }
    }
  }

  // The transport (re)connected a peer, typically a restarted node. Groups this node leads with that
  // peer in them heartbeat now, so it learns its leaders at once instead of after an election timeout
  // (a quiesced leader would not heartbeat at all until woken).
  peerUp(peer: number): void {
    for (const g of this.groups.values()) {
      const s = g.status();
      if (s.role !== "leader") continue;
      if (!s.confState.voters.includes(peer) && !s.confState.learners.includes(peer)) continue;
      this.wake(g);
      g.node.heartbeatNow();
      this.markDirty(g);
    }
  }

  private stepInto(g: RaftGroup, from: number, payload: Uint8Array): void {
    try {
      g.node.step(decodeMessage(payload));
      this.markDirty(g);
    } catch (err) {
      g.logger.warn({ err, from }, "dropped a Raft message that could not be decoded or stepped");
    }
  }

  private hold(group: string, from: number, payload: Uint8Array): void {
    const now = Date.now();
    const list = (this.held.get(group) ?? []).filter((h) => now - h.at < HOLD_MS);
    if (list.length < HOLD_PER_GROUP) list.push({ from, payload, at: now });
    this.held.set(group, list);
  }

  markDirty(g: RaftGroup): void {
    this.dirty.add(g);
    if (this.loopScheduled || this.stopped) return;
    this.loopScheduled = true;
    setImmediate(() => {
      this.loopScheduled = false;
      void this.loop();
    });
  }

  private tick(): void {
    const idleTicksNeeded = 2 * this.o.timing.heartbeatTicks + 1;
    for (const g of this.groups.values()) {
      if (g.quiesced) continue;
      g.node.tick();
      if (!g.inFlight && g.node.hasReady()) this.dirty.add(g);
      else if (leaderMayQuiesce(g, idleTicksNeeded)) this.quiesce(g);
    }
    if (this.dirty.size > 0) void this.loop();
    const now = Date.now();
    for (const [id, list] of this.held) if (list.every((h) => now - h.at >= HOLD_MS)) this.held.delete(id);
  }

  private quiesce(g: RaftGroup): void {
    const s = g.node.status();
    const notice = encodeQuiesce({ term: s.term, commit: s.commit });
    for (const id of [...s.confState.voters, ...s.confState.learners])
      if (id !== s.id) this.o.bus.send(id, g.id, notice);
    this.o.bus.flush();
    g.quiesced = true;
  }

  // One loop at a time: take every group's Ready, write them all, one group-commit round, then send,
  // apply and advance. Groups that became ready meanwhile are taken in the next round.
  private async loop(): Promise<void> {
    if (this.loopRunning) return;
    this.loopRunning = true;
    try {
      while (this.dirty.size > 0 && !this.stopped) {
        const batch: [RaftGroup, Ready][] = [];
        for (const g of this.dirty) {
          if (g.inFlight || !this.groups.has(g.id) || !g.node.hasReady()) continue;
          g.inFlight = true;
          batch.push([g, g.node.ready()]);
        }
        this.dirty.clear();
        if (batch.length === 0) break;
        await this.handle(batch);
      }
    } catch (err) {
      this.o.logger.fatal({ err }, "raft runtime failed; stopping the node");
      process.exitCode = 1;
      process.kill(process.pid, "SIGTERM");
    } finally {
      this.loopRunning = false;
    }
  }

  private async handle(batch: [RaftGroup, Ready][]): Promise<void> {
    // 1. Messages that promise nothing about this node's disk go out while it writes.
    for (const [g, rd] of batch) this.send(g, rd, false);
    this.o.bus.flush();
    // 2. Committed entries are on a majority's disks already: apply them (and answer acks=all
    //    producers) now rather than after this round's fsync.
    for (const [g, rd] of batch) {
      if (rd.committedEntries.length === 0) continue;
      g.sm.apply(rd.committedEntries);
      for (const e of rd.committedEntries) g.waiters.applied(e);
    }
    // 3. Write: snapshots, entries, term/vote; then one group-commit round for all logs.
    const writes: Promise<void>[] = [];
    for (const [g, rd] of batch) {
      if (rd.snapshot) {
        const opts = g.sm.restore?.(rd.snapshot) ?? {};
        await g.storage.applySnapshot(rd.snapshot, opts);
      }
      if (rd.entries.length > 0) {
        g.storage.append(rd.entries);
        g.sm.appended?.(rd.entries);
        writes.push(this.o.committer.commit(g.storage));
      }
      if (rd.hardState && g.needsHardStateWrite(rd)) writes.push(g.writeHardState(rd.hardState));
    }
    await Promise.all(writes);
    // 4. Now what depends on the write: votes, append acks, acks=1 producers.
    for (const [g, rd] of batch) {
      this.send(g, rd, true);
      g.waiters.persisted(rd.entries);
      if (rd.softState) {
        if (rd.softState.role === "leader") this.elections++;
        g.sm.onSoftState?.(rd.softState, g.node.status().term);
      }
    }
    this.o.bus.flush();
    for (const [g, rd] of batch) {
      g.node.advance(rd);
      g.inFlight = false;
      if (rd.committedEntries.some((e) => e.type === EntryType.ConfChange)) {
        await g.storage.setConfState(g.node.confState());
      }
      if (g.node.hasReady()) this.dirty.add(g);
    }
  }

  private send(g: RaftGroup, rd: Ready, afterPersist: boolean): void {
    for (const m of rd.messages) {
      if (m.afterPersist !== afterPersist) continue;
      this.o.bus.send(m.message.to, g.id, encodeMessageParts(m.message));
    }
  }

  stats(): { groups: number; leaders: number; quiesced: number; elections: number } {
    let leaders = 0;
    let quiesced = 0;
    for (const g of this.groups.values()) {
      if (g.node.status().role === "leader") leaders++;
      if (g.quiesced) quiesced++;
    }
    return { groups: this.groups.size, leaders, quiesced, elections: this.elections };
  }
}
