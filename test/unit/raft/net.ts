// A synchronous in-memory cluster for scenario tests: every node persists each Ready to its
// MemoryStorage, messages are delivered in FIFO order, and links can be cut.
import { RawNode } from "../../../data-node/src/raft/raw-node.ts";
import { MemoryStorage } from "../../../data-node/src/raft/storage.ts";
import { type Entry, type Message, MessageType, Role } from "../../../data-node/src/raft/types.ts";
import { Prng } from "../../../data-node/src/raft-sim/prng.ts";

export interface NetOptions {
  preVote?: boolean;
  checkQuorum?: boolean;
  electionTicks?: number;
  heartbeatTicks?: number;
  maxSizePerMsg?: number;
  maxInflightMsgs?: number;
  learners?: number[];
}

export interface TestNode {
  raw: RawNode;
  storage: MemoryStorage;
  applied: Entry[];
  readStates: { index: number; context: Uint8Array }[];
  up: boolean;
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

export class TestNet {
  readonly nodes = new Map<number, TestNode>();
  private readonly cut = new Set<string>();
  /** Every message delivered (or dropped), for assertions. */
  readonly sent: Message[] = [];
  private queue: Message[] = [];
  /** Drop messages matching this predicate (in addition to cut links). */
  dropIf: ((m: Message) => boolean) | undefined;
  private seed = 1;

  constructor(
    readonly ids: number[],
    readonly opts: NetOptions = {},
  ) {
    for (const id of [...ids, ...(opts.learners ?? [])])
      this.add(id, MemoryStorage.bootstrap(ids, opts.learners ?? []));
  }

  add(id: number, storage: MemoryStorage): TestNode {
    const n: TestNode = { raw: this.boot(id, storage), storage, applied: [], readStates: [], up: true };
    this.nodes.set(id, n);
    return n;
  }

  private boot(id: number, storage: MemoryStorage): RawNode {
    return new RawNode({
      id,
      storage,
      random: new Prng(this.seed++ * 7919 + id),
      preVote: this.opts.preVote ?? true,
      checkQuorum: this.opts.checkQuorum ?? true,
      electionTicks: this.opts.electionTicks ?? 10,
      heartbeatTicks: this.opts.heartbeatTicks ?? 1,
      maxSizePerMsg: this.opts.maxSizePerMsg,
      maxInflightMsgs: this.opts.maxInflightMsgs,
    });
  }

  node(id: number): TestNode {
    return this.nodes.get(id)!;
  }

  raw(id: number): RawNode {
    return this.node(id).raw;
  }

  isolate(id: number): void {
    for (const o of this.nodes.keys()) {
      if (o === id) continue;
      this.cut.add(`${id}>${o}`);
      this.cut.add(`${o}>${id}`);
    }
  }

  cutOneWay(from: number, to: number): void {
    this.cut.add(`${from}>${to}`);
  }

  heal(): void {
    this.cut.clear();
  }

  crash(id: number): void {
    this.node(id).up = false;
  }

  restart(id: number): void {
    const n = this.node(id);
    n.up = true;
    n.raw = this.boot(id, n.storage);
    n.applied = [];
  }

  /** Handle one Ready of node id fully (persist, then collect messages, apply, advance). */
  private handle(id: number): boolean {
    const n = this.node(id);
    if (!n.up || !n.raw.hasReady()) return false;
    const rd = n.raw.ready();
    if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    for (const m of rd.messages) this.queue.push(m.message);
    n.applied.push(...rd.committedEntries);
    n.readStates.push(...rd.readStates);
    n.raw.advance(rd);
    return true;
  }

  /** Process Readys and deliver messages until nothing moves. */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let moved = false;
      for (const id of this.nodes.keys()) while (this.handle(id)) moved = true;
      const q = this.queue;
      this.queue = [];
      for (const m of q) {
        this.sent.push(m);
        const to = this.nodes.get(m.to);
        const delivered = !!to?.up && !this.cut.has(`${m.from}>${m.to}`) && !this.dropIf?.(m);
        // Like a transport, report the fate of snapshot sends to the leader.
        if (m.type === MessageType.Snap && this.nodes.get(m.from)?.up) {
          this.nodes.get(m.from)!.raw.reportSnapshot(m.to, delivered);
        }
        if (!delivered) continue;
        to!.raw.step(m);
        moved = true;
      }
      if (!moved) return;
    }
    throw new Error("network did not stabilize");
  }

  tick(id: number, n = 1): void {
    for (let i = 0; i < n; i++) {
      if (this.node(id).up) this.raw(id).tick();
      this.stabilize();
    }
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const [id, node] of this.nodes) if (node.up) this.raw(id).tick();
      this.stabilize();
    }
  }

  campaign(id: number): void {
    this.raw(id).campaign();
    this.stabilize();
  }

  /** Elect `id` by timing it out alone (others do not tick). */
  elect(id: number): void {
    this.campaign(id);
    if (this.raw(id).status().role !== Role.Leader) throw new Error(`node ${id} failed to become leader`);
  }

  leaders(): number[] {
    return [...this.nodes].filter(([, n]) => n.up && n.raw.status().role === Role.Leader).map(([id]) => id);
  }

  propose(id: number, data: string): void {
    const r = this.raw(id).propose(enc(data));
    if (!r.ok) throw new Error(`propose on ${id} failed: ${JSON.stringify(r.error)}`);
    this.stabilize();
  }

  /** Application payloads applied by id (no-ops and conf changes left out). */
  appliedData(id: number): string[] {
    return this.node(id)
      .applied.filter((e) => e.type === 0 && e.data.byteLength > 0)
      .map((e) => dec(e.data));
  }

  sentOfType(t: MessageType): Message[] {
    return this.sent.filter((m) => m.type === t);
  }
}
