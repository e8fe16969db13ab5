import { decodeConfChange } from "../raft/codec.ts";
import { RawNode, type Ready } from "../raft/raw-node.ts";
import { MemoryStorage } from "../raft/storage.ts";
import { ConfChangeType, type Entry, EntryType, type Message, MessageType, Role } from "../raft/types.ts";
import { EventQueue } from "./event-queue.ts";
import { GroupRecord, type Violation } from "./invariants.ts";
import { decodeCommand, encodeCommand, type KvOp, type KvResult, KvStore } from "./kv.ts";
import { checkRegister, type HistoryOp } from "./linearizability.ts";
import { Prng } from "./prng.ts";

export const TICK_MS = 100;
const ELECTION_TICKS = 10;
const HEARTBEAT_TICKS = 2;
const CLIENT_TIMEOUT_MS = 1500;
const OPS_PER_KEY = 20;

export interface SimOptions {
  seed: number;
  nodes: 3 | 5;
  groups: number;
  faults: boolean;
  virtualMs: number;
  /** Fault actions (by position in the generated schedule) to leave out; used for shrinking. */
  skipFaults?: ReadonlySet<number>;
  /** Test-only: run the core with a deliberately unsafe rule to prove the checks catch it. */
  unsafe?: { skipVoteLogCheck?: boolean };
  traceLimit?: number;
}

export interface FaultAction {
  at: number;
  kind:
    | "crash"
    | "partition"
    | "isolate-leader"
    | "transfer"
    | "membership"
    | "network"
    | "slow-disk"
    | "heal";
  seed: number;
}

interface PendingOp {
  client: Client;
  hist: HistoryOp;
  index: number;
  term: number;
}

interface PendingRead {
  client: Client;
  hist: HistoryOp;
  key: string;
  index: number;
}

/** A replica of one group on one node. Storage is the durable disk: it survives crashes. */
class Replica {
  raw: RawNode | undefined;
  kv = new KvStore();
  incarnation = 0;
  persisting = false;
  lastApplied = 0;
  readonly pendingOps = new Map<number, PendingOp>();
  readonly pendingReads = new Map<string, PendingRead>();
  readonly readyReads: PendingRead[] = [];
  constructor(
    readonly group: number,
    readonly node: number,
    readonly storage: MemoryStorage,
  ) {}
}

class SimNode {
  up = true;
  /** Upper bound of this node's write latency in ms (a slow or stalling disk). */
  diskMax = 4;
  readonly replicas = new Map<number, Replica>();
  constructor(readonly id: number) {}
}

class Client {
  leaderGuess = 0;
  constructor(
    readonly id: number,
    readonly group: number,
  ) {}
}

interface GroupState {
  id: number;
  record: GroupRecord;
  voters: number;
  history: Map<string, HistoryOp[]>;
  currentKeys: string[];
  keyCounter: number;
}

export interface SimStats {
  elections: number;
  commits: number;
  events: number;
}

/** Deterministic cluster: every source of nondeterminism is a PRNG stream derived from the seed. */
export class Simulation {
  readonly q = new EventQueue();
  readonly violations: Violation[] = [];
  readonly trace: string[] = [];
  private readonly nodes = new Map<number, SimNode>();
  private readonly groups: GroupState[] = [];
  private readonly clients: Client[] = [];
  private readonly netRng: Prng;
  private readonly clientRng: Prng;
  private readonly raftRng: Prng;
  private readonly diskRng: Prng;
  readonly schedule: FaultAction[] = [];
  private blocked = new Set<string>();
  private dropRate = 0;
  private dupRate = 0;
  /** Probability and upper bound of a long delay (reordering; a message stuck in a queue). */
  private slowRate = 0;
  private slowMax = 400;
  private nextOpId = 1;
  private nextValue = 1;
  private nextNodeId: number;
  private events = 0;
  /** The operation each busy client is waiting on. */
  private readonly current = new Map<Client, HistoryOp>();

  constructor(readonly opts: SimOptions) {
    const root = new Prng(opts.seed);
    this.netRng = root.fork();
    this.clientRng = root.fork();
    this.raftRng = root.fork();
    this.diskRng = root.fork();
    const faultRng = root.fork();
    const voters = Array.from({ length: opts.nodes }, (_, i) => i + 1);
    this.nextNodeId = opts.nodes + 1;
    for (const id of voters) this.nodes.set(id, new SimNode(id));
    for (let g = 1; g <= opts.groups; g++) {
      const gs: GroupState = {
        id: g,
        record: new GroupRecord(g, (v) => this.violate(v)),
        voters: opts.nodes,
        history: new Map(),
        currentKeys: [],
        keyCounter: 0,
      };
      this.groups.push(gs);
      for (const id of voters) this.addReplica(g, id, true, voters);
      for (let c = 0; c < 3; c++) {
        const cl = new Client(this.clients.length + 1, g);
        this.clients.push(cl);
        this.q.schedule(this.clientRng.range(0, 200), () => this.clientNext(cl));
      }
    }
    for (const id of voters) this.startTicking(id, this.raftRng.range(0, TICK_MS - 1));
    if (opts.faults) {
      this.slowRate = 0.03;
      let t = faultRng.range(200, 1500);
      const kinds: FaultAction["kind"][] = [
        "crash",
        "crash",
        "partition",
        "isolate-leader",
        "transfer",
        "membership",
        "membership",
        "network",
        "slow-disk",
        "heal",
      ];
      while (t < opts.virtualMs) {
        this.schedule.push({
          at: t,
          kind: faultRng.pick(kinds),
          seed: Math.floor(faultRng.next() * 2 ** 31),
        });
        t += faultRng.range(150, 1500);
      }
      this.schedule.forEach((f, i) => {
        if (opts.skipFaults?.has(i)) return;
        this.q.schedule(f.at, () => this.fault(f, i));
      });
    }
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  private log(s: string): void {
    const limit = this.opts.traceLimit ?? 60;
    this.trace.push(`t=${this.q.now} ${s}`);
    if (this.trace.length > limit * 2) this.trace.splice(0, this.trace.length - limit);
  }

  private violate(v: Violation): void {
    this.violations.push(v);
    this.log(`VIOLATION ${v.kind} g${v.group}: ${v.detail}`);
  }

  stats(): SimStats {
    let elections = 0;
    let commits = 0;
    for (const g of this.groups) {
      elections += g.record.elections;
      commits += g.record.applied.size;
    }
    return { elections, commits, events: this.events };
  }

  // ---- nodes and replicas ---------------------------------------------------------------------

  private addReplica(group: number, nodeId: number, bootstrap: boolean, voters: number[]): Replica {
    let node = this.nodes.get(nodeId);
    if (!node) {
      node = new SimNode(nodeId);
      this.nodes.set(nodeId, node);
      this.startTicking(nodeId, this.raftRng.range(0, TICK_MS - 1));
    }
    // Bootstrapped members start from a snapshot at index 1 holding the initial configuration, so a
    // node added later learns the configuration from a snapshot, never from an incomplete log.
    const storage = new MemoryStorage();
    if (bootstrap) {
      storage.applySnapshot({
        metadata: { index: 1, term: 1, confState: { voters, learners: [] } },
        data: new KvStore().serialize(),
      });
      storage.setHardState({ term: 1, vote: 0, commit: 1 });
    }
    const rep = new Replica(group, nodeId, storage);
    node.replicas.set(group, rep);
    if (node.up) this.boot(rep);
    return rep;
  }

  private boot(rep: Replica): void {
    rep.incarnation++;
    rep.persisting = false;
    const snap = rep.storage.snapshot();
    rep.kv = KvStore.restore(snap.data);
    rep.lastApplied = snap.metadata.index;
    rep.raw = new RawNode({
      id: rep.node,
      storage: rep.storage,
      random: this.raftRng.fork(),
      electionTicks: ELECTION_TICKS,
      heartbeatTicks: HEARTBEAT_TICKS,
      maxSizePerMsg: 4096,
      maxInflightMsgs: 8,
      checkQuorum: true,
      preVote: true,
      unsafe: this.opts.unsafe,
    });
  }

  private startTicking(nodeId: number, phase: number): void {
    const tick = () => {
      const node = this.nodes.get(nodeId)!;
      if (node.up) {
        for (const rep of node.replicas.values()) {
          rep.raw!.tick();
          this.pump(rep);
        }
      }
      this.q.schedule(TICK_MS, tick);
    };
    this.q.schedule(phase, tick);
  }

  private crash(nodeId: number): void {
    const node = this.nodes.get(nodeId)!;
    if (!node.up) return;
    node.up = false;
    this.log(`crash n${nodeId}`);
    for (const rep of node.replicas.values()) {
      rep.incarnation++;
      rep.raw = undefined;
      rep.persisting = false;
      rep.pendingOps.clear();
      rep.pendingReads.clear();
      rep.readyReads.length = 0;
    }
  }

  private restart(nodeId: number): void {
    const node = this.nodes.get(nodeId)!;
    if (node.up) return;
    node.up = true;
    this.log(`restart n${nodeId}`);
    for (const rep of node.replicas.values()) this.boot(rep);
  }

  // ---- the Ready loop -------------------------------------------------------------------------

  private guard(rep: Replica, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.violate({ kind: "crash", group: rep.group, detail: `n${rep.node}: ${(e as Error).stack ?? e}` });
    }
  }

  private pump(rep: Replica): void {
    this.guard(rep, () => {
      const raw = rep.raw;
      if (!raw || rep.persisting || !raw.hasReady()) return;
      const rd = raw.ready();
      this.events++;
      const g = this.groups[rep.group - 1];
      if (rd.softState?.role === Role.Leader) {
        const st = raw.status();
        this.log(`g${rep.group} n${rep.node} leader term ${st.term}`);
        g.record.onLeader(st.term, rep.node);
        g.record.checkLeaderCompleteness(rep.node, (i) => raw.logTerm(i), raw.raft.log.firstIndex());
      }
      for (const m of rd.messages) if (!m.afterPersist) this.send(rep.group, m.message);
      rep.persisting = true;
      const inc = rep.incarnation;
      const writes = rd.entries.length > 0 || rd.hardState !== undefined || rd.snapshot !== undefined;
      const diskMax = this.nodes.get(rep.node)!.diskMax;
      this.q.schedule(writes ? this.diskRng.range(0, diskMax) : 0, () => {
        if (rep.incarnation !== inc) return;
        this.guard(rep, () => this.persistAndApply(rep, rd));
        rep.persisting = false;
        this.pump(rep);
      });
    });
  }

  private persistAndApply(rep: Replica, rd: Ready): void {
    const raw = rep.raw!;
    const g = this.groups[rep.group - 1];
    const st = rep.storage;
    if (rd.snapshot) {
      st.applySnapshot(rd.snapshot);
      rep.kv = KvStore.restore(rd.snapshot.data);
      rep.lastApplied = rd.snapshot.metadata.index;
      // Proposals covered by the snapshot may or may not have committed: leave them to time out.
      for (const [id, p] of rep.pendingOps) if (p.index <= rep.lastApplied) rep.pendingOps.delete(id);
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0].index;
      let prevTerm: number | undefined;
      if (first - 1 >= st.firstIndex() - 1 && first - 1 <= st.lastIndex()) prevTerm = st.term(first - 1);
      g.record.onPersistEntries(rep.node, rd.entries, prevTerm);
      st.append(rd.entries);
    }
    if (rd.hardState) {
      const old = st.getHardState();
      if (rd.hardState.commit < old.commit) {
        this.violate({
          kind: "commit-regressed",
          group: rep.group,
          detail: `n${rep.node} commit ${old.commit} -> ${rd.hardState.commit}`,
        });
      }
      st.setHardState(rd.hardState);
    }
    for (const m of rd.messages) if (m.afterPersist) this.send(rep.group, m.message);
    for (const e of rd.committedEntries) this.apply(rep, e);
    for (const rs of rd.readStates) {
      const key = ctxKey(rs.context);
      const pr = rep.pendingReads.get(key);
      if (!pr) continue;
      rep.pendingReads.delete(key);
      pr.index = rs.index;
      rep.readyReads.push(pr);
    }
    raw.advance(rd);
    this.serveReads(rep);
    // After a configuration change, snapshot at once so a new member can be sent a snapshot that includes it.
    this.maybeSnapshot(
      rep,
      rd.committedEntries.some((e) => e.type === EntryType.ConfChange),
    );
  }

  private apply(rep: Replica, e: Entry): void {
    const g = this.groups[rep.group - 1];
    if (e.index !== rep.lastApplied + 1) {
      this.violate({
        kind: "applied-regressed",
        group: rep.group,
        detail: `n${rep.node} applied ${e.index} after ${rep.lastApplied}`,
      });
    }
    rep.lastApplied = e.index;
    g.record.onApply(rep.node, e);
    if (e.type === EntryType.ConfChange) {
      const cc = decodeConfChange(e.data);
      this.log(`g${rep.group} n${rep.node} applies ${ConfChangeType[cc.type]} ${cc.nodeId} at ${e.index}`);
    } else if (e.data.byteLength > 0) {
      const cmd = decodeCommand(e.data);
      const result = rep.kv.apply(cmd.op);
      const p = rep.pendingOps.get(cmd.opId);
      if (p) {
        rep.pendingOps.delete(cmd.opId);
        this.complete(p.client, p.hist, result);
      }
    }
    // A pending proposal whose index was taken by another entry never committed: it had no effect.
    for (const [id, p] of rep.pendingOps) {
      if (p.index <= e.index) {
        rep.pendingOps.delete(id);
        this.abandon(p.client, p.hist);
      }
    }
  }

  private serveReads(rep: Replica): void {
    const keep: PendingRead[] = [];
    for (const r of rep.readyReads) {
      if (rep.lastApplied >= r.index) this.complete(r.client, r.hist, rep.kv.get(r.key));
      else keep.push(r);
    }
    rep.readyReads.length = 0;
    rep.readyReads.push(...keep);
  }

  private maybeSnapshot(rep: Replica, force: boolean): void {
    const st = rep.storage;
    const raw = rep.raw!;
    const applied = raw.applied();
    const due = force || applied - st.snapshot().metadata.index >= 24;
    if (!due || applied <= st.snapshot().metadata.index || applied > st.lastIndex()) return;
    st.createSnapshot(applied, raw.confState(), rep.kv.serialize());
    st.compact(Math.max(st.firstIndex(), applied - this.diskRng.range(0, 8)));
  }

  // ---- network --------------------------------------------------------------------------------

  private send(group: number, m: Message): void {
    const rng = this.netRng;
    if (this.blocked.has(`${m.from}>${m.to}`) || rng.chance(this.dropRate)) {
      this.dropped(group, m);
      return;
    }
    const copies = rng.chance(this.dupRate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const delay = rng.chance(this.slowRate) ? rng.range(20, this.slowMax) : rng.range(1, 8);
      this.q.schedule(delay, () => this.deliver(group, m));
    }
  }

  private deliver(group: number, m: Message): void {
    const node = this.nodes.get(m.to);
    const rep = node?.replicas.get(group);
    if (!node?.up || !rep?.raw || this.blocked.has(`${m.from}>${m.to}`)) {
      this.dropped(group, m);
      return;
    }
    this.events++;
    this.guard(rep, () => rep.raw!.step(m));
    this.pump(rep);
    if (m.type === MessageType.Snap) this.reportSnapshot(group, m, true);
  }

  private dropped(group: number, m: Message): void {
    if (m.type === MessageType.Snap) {
      this.reportSnapshot(group, m, false);
    } else if (
      m.type === MessageType.App &&
      (this.blocked.has(`${m.from}>${m.to}`) || !this.nodes.get(m.to)?.up)
    ) {
      // Like a transport whose stream to the peer broke: the leader falls back to probing.
      this.nodes.get(m.from)?.replicas.get(group)?.raw?.reportUnreachable(m.to);
    }
  }

  private reportSnapshot(group: number, m: Message, ok: boolean): void {
    const rep = this.nodes.get(m.from)?.replicas.get(group);
    if (!rep?.raw) return;
    rep.raw.reportSnapshot(m.to, ok);
    this.pump(rep);
  }

  // ---- clients --------------------------------------------------------------------------------

  private keyFor(g: GroupState): string {
    const rng = this.clientRng;
    while (g.currentKeys.length < 3) g.currentKeys.push(`g${g.id}k${g.keyCounter++}`);
    const i = rng.nextInt(g.currentKeys.length);
    const key = g.currentKeys[i];
    const h = g.history.get(key) ?? [];
    g.history.set(key, h);
    if (h.length + 1 >= OPS_PER_KEY) g.currentKeys.splice(i, 1);
    return key;
  }

  private clientNext(cl: Client): void {
    if (this.q.now >= this.opts.virtualMs) return;
    const g = this.groups[cl.group - 1];
    const rng = this.clientRng;
    const key = this.keyFor(g);
    const r = rng.next();
    let op: KvOp;
    if (r < 0.35) op = { kind: "put", key, value: `v${this.nextValue++}` };
    else if (r < 0.55) {
      const hist = g.history.get(key)!;
      const known = hist.filter((h) => h.op.kind !== "get").map((h) => (h.op as { value: string }).value);
      const expect = known.length > 0 && rng.chance(0.8) ? rng.pick(known) : null;
      op = { kind: "cas", key, expect, value: `v${this.nextValue++}` };
    } else op = { kind: "get", key };
    const hist: HistoryOp = { call: this.q.now, ret: Infinity, op };
    g.history.get(key)!.push(hist);
    const viaReadIndex = op.kind === "get" && rng.chance(0.6);
    const deadline = this.q.now + CLIENT_TIMEOUT_MS;
    this.current.set(cl, hist);
    this.attempt(cl, hist, viaReadIndex, deadline);
    this.q.schedule(CLIENT_TIMEOUT_MS, () => {
      if (this.current.get(cl) === hist) {
        // Outcome unknown: it may still take effect at any later time. Reads are simply dropped.
        if (op.kind === "get") this.removeHist(cl, hist);
        this.log(`client ${cl.id} timeout ${op.kind} ${key}`);
        this.finish(cl);
      }
    });
  }

  private attempt(cl: Client, hist: HistoryOp, viaReadIndex: boolean, deadline: number): void {
    if (this.current.get(cl) !== hist) return;
    if (this.q.now >= deadline) return;
    const g = this.groups[cl.group - 1];
    const retry = (guess: number | undefined) => {
      cl.leaderGuess = guess ?? 0;
      this.q.schedule(this.clientRng.range(10, 50), () => this.attempt(cl, hist, viaReadIndex, deadline));
    };
    let target = cl.leaderGuess;
    const ids = [...this.nodes.keys()].filter((id) => this.nodes.get(id)!.replicas.has(g.id));
    if (target === 0 || !ids.includes(target)) target = this.clientRng.pick(ids);
    const rep = this.nodes.get(target)!.replicas.get(g.id)!;
    if (!rep.raw) {
      retry(undefined);
      return;
    }
    const raw = rep.raw;
    if (viaReadIndex) {
      const key = `r${this.nextOpId++}`;
      const res = raw.readIndex(new TextEncoder().encode(key));
      if (!res.ok) {
        retry(res.error.kind === "not-leader" ? res.error.leaderId : undefined);
        return;
      }
      rep.pendingReads.set(key, { client: cl, hist, key: hist.op.key, index: 0 });
    } else {
      const opId = this.nextOpId++;
      const res = raw.propose(encodeCommand({ opId, op: hist.op }));
      if (!res.ok) {
        retry(res.error.kind === "not-leader" ? res.error.leaderId : undefined);
        return;
      }
      rep.pendingOps.set(opId, { client: cl, hist, index: res.index, term: res.term });
    }
    cl.leaderGuess = target;
    this.pump(rep);
  }

  private complete(cl: Client, hist: HistoryOp, result: KvResult): void {
    if (this.current.get(cl) !== hist) return;
    hist.ret = this.q.now;
    hist.result = result;
    this.finish(cl);
  }

  /** The operation certainly had no effect (its log slot went to another entry): forget it. */
  private abandon(cl: Client, hist: HistoryOp): void {
    if (this.current.get(cl) !== hist) return;
    this.removeHist(cl, hist);
    this.finish(cl);
  }

  private removeHist(cl: Client, hist: HistoryOp): void {
    const h = this.groups[cl.group - 1].history.get(hist.op.key)!;
    const i = h.indexOf(hist);
    if (i >= 0) h.splice(i, 1);
  }

  private finish(cl: Client): void {
    this.current.delete(cl);
    this.q.schedule(this.clientRng.range(5, 150), () => this.clientNext(cl));
  }

  // ---- faults ---------------------------------------------------------------------------------

  private leaderOf(group: number): Replica | undefined {
    for (const n of this.nodes.values()) {
      const rep = n.replicas.get(group);
      if (rep?.raw && rep.raw.raft.role === Role.Leader) return rep;
    }
    return undefined;
  }

  private fault(f: FaultAction, i: number): void {
    const rng = new Prng(f.seed);
    const ids = [...this.nodes.keys()];
    const heal = (after: number, what: () => void) => this.q.schedule(after, what);
    switch (f.kind) {
      case "crash": {
        const id = rng.pick(ids);
        this.log(`#${i} crash n${id}`);
        this.crash(id);
        heal(rng.range(100, 2500), () => this.restart(id));
        return;
      }
      case "partition": {
        const side = new Set(ids.filter(() => rng.chance(0.5)));
        const oneWay = rng.chance(0.3);
        const blocked: string[] = [];
        for (const a of ids) {
          for (const b of ids) {
            if (side.has(a) && !side.has(b)) {
              blocked.push(`${a}>${b}`);
              if (!oneWay) blocked.push(`${b}>${a}`);
            }
          }
        }
        this.log(`#${i} partition ${[...side].join(",")} ${oneWay ? "one-way" : ""}`);
        for (const b of blocked) this.blocked.add(b);
        heal(rng.range(200, 3000), () => {
          for (const b of blocked) this.blocked.delete(b);
        });
        return;
      }
      case "isolate-leader": {
        const leader = this.leaderOf(rng.range(1, this.opts.groups));
        if (!leader) return;
        const blocked: string[] = [];
        for (const b of ids)
          if (b !== leader.node) blocked.push(`${leader.node}>${b}`, `${b}>${leader.node}`);
        this.log(`#${i} isolate n${leader.node}`);
        for (const b of blocked) this.blocked.add(b);
        heal(rng.range(300, 3000), () => {
          for (const b of blocked) this.blocked.delete(b);
        });
        return;
      }
      case "transfer": {
        const leader = this.leaderOf(rng.range(1, this.opts.groups));
        if (!leader?.raw) return;
        const voters = leader.raw.confState().voters.filter((v) => v !== leader.node);
        if (voters.length === 0) return;
        const to = rng.pick(voters);
        this.log(`#${i} g${leader.group} transfer n${leader.node} -> n${to}`);
        leader.raw.transferLeader(to);
        this.pump(leader);
        return;
      }
      case "membership":
        this.membership(rng, i);
        return;
      case "network":
        this.dropRate = rng.pick([0, 0, 0.02, 0.1, 0.3]);
        this.dupRate = rng.pick([0, 0.02, 0.1]);
        [this.slowRate, this.slowMax] = rng.pick([
          [0.03, 400],
          [0.05, 3000],
          [0.2, 150],
        ]);
        this.log(
          `#${i} network drop=${this.dropRate} dup=${this.dupRate} slow=${this.slowRate}<${this.slowMax}`,
        );
        return;
      case "slow-disk": {
        const node = this.nodes.get(rng.pick(ids))!;
        node.diskMax = rng.pick([200, 1000, 3000]);
        this.log(`#${i} slow disk n${node.id} <${node.diskMax}ms`);
        heal(rng.range(500, 4000), () => {
          node.diskMax = 4;
        });
        return;
      }
      case "heal":
        this.log(`#${i} heal`);
        this.blocked.clear();
        this.dropRate = 0;
        this.dupRate = 0;
        this.slowRate = 0.03;
        this.slowMax = 400;
        return;
    }
  }

  private membership(rng: Prng, i: number): void {
    const gid = rng.range(1, this.opts.groups);
    const g = this.groups[gid - 1];
    const leader = this.leaderOf(gid);
    if (!leader?.raw) return;
    const cs = leader.raw.confState();
    if (cs.learners.length > 0) {
      const id = cs.learners[0];
      const r = leader.raw.proposeConfChange({ type: ConfChangeType.AddVoter, nodeId: id });
      this.log(`#${i} g${gid} promote n${id}: ${r.ok ? "ok" : r.error.kind}`);
    } else if (cs.voters.length > g.voters) {
      const id = rng.pick(cs.voters);
      const r = leader.raw.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: id });
      this.log(`#${i} g${gid} remove n${id}: ${r.ok ? "ok" : r.error.kind}`);
    } else {
      // A node that never hosted this group: an existing one, or a fresh one (at most two extra).
      let id = [...this.nodes.keys()].find((n) => !this.nodes.get(n)!.replicas.has(gid));
      if (id === undefined && this.nextNodeId <= this.opts.nodes + 2) id = this.nextNodeId++;
      if (id === undefined) return;
      const r = leader.raw.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: id });
      this.log(`#${i} g${gid} add learner n${id}: ${r.ok ? "ok" : r.error.kind}`);
      if (r.ok) this.addReplica(gid, id, false, []);
    }
    this.pump(leader);
  }

  // ---- running --------------------------------------------------------------------------------

  run(): void {
    this.q.runUntil(this.opts.virtualMs, () => this.violations.length > 0);
    if (this.violations.length > 0) return;
    this.settle();
    if (this.violations.length > 0) return;
    this.checkHistories();
  }

  /** Heal everything, let the cluster converge, then require each group to have a leader. */
  private settle(): void {
    this.blocked.clear();
    this.dropRate = 0;
    this.dupRate = 0;
    this.slowRate = 0;
    for (const id of this.nodes.keys()) this.restart(id);
    const end = this.opts.virtualMs + 15_000;
    this.q.runUntil(end, () => this.violations.length > 0);
    for (const g of this.groups) {
      if (!this.leaderOf(g.id)) {
        this.violate({ kind: "liveness", group: g.id, detail: "no leader 15 s after healing" });
      }
    }
  }

  private checkHistories(): void {
    for (const g of this.groups) {
      for (const [key, h] of g.history) {
        if (!checkRegister(h)) {
          const lines = h
            .map((o) => `${o.call}-${o.ret} ${JSON.stringify(o.op)} -> ${JSON.stringify(o.result)}`)
            .join("; ");
          this.violate({ kind: "linearizability", group: g.id, detail: `key ${key}: ${lines}` });
        }
      }
    }
  }
}

function ctxKey(ctx: Uint8Array): string {
  return new TextDecoder().decode(ctx);
}
