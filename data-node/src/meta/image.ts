import type { BrokerState } from "../../../shared/registry/snapshot.ts";
import { decodeMetaBatch } from "./codec.ts";
import type {
  CreatePartitions,
  CreateTopic,
  ListenerRecord,
  MetaRecord,
  PartitionAssignment,
  PartitionChange,
  RegisterBroker,
} from "./records.ts";
import { type ImageSnapshot, parseImageSnapshot } from "./snapshot-format.ts";

// The __meta state machine: the metadata image every node builds by applying the committed log in order.
// Deterministic by construction: apply reads only the image and the record (no clock, no randomness),
// so every replica that applies the same entries holds the same image and makes the same decisions.

export type BrokerRegistration = {
  nodeId: number;
  incarnationId: string;
  // The Raft index of the registration entry. Identifies this incarnation in later records.
  epoch: number;
  state: BrokerState;
  listeners: ListenerRecord[];
  raftAddress: string;
  rack: string | null;
  version: string;
  registeredAt: number;
};

export type PartitionState = {
  partition: number;
  replicas: number[];
  leader: number | null;
  leaderEpoch: number;
  isr: number[];
};

export type TopicState = {
  name: string;
  id: string;
  internal: boolean;
  configs: Record<string, string>;
  partitions: PartitionState[];
};

export type MetaErrorCode =
  | "DUPLICATE_BROKER_REGISTRATION"
  | "STALE_BROKER_EPOCH"
  | "BROKER_NOT_REGISTERED"
  | "TOPIC_ALREADY_EXISTS"
  | "UNKNOWN_TOPIC_OR_PARTITION"
  | "UNKNOWN_TOPIC_ID"
  | "INVALID_PARTITIONS"
  | "INVALID_REPLICA_ASSIGNMENT"
  | "FENCED_LEADER_EPOCH"
  | "BROKER_NOT_AVAILABLE";

export type ApplyResult =
  | { ok: true; brokerEpoch?: number; producerIdBlock?: { firstProducerId: number; size: number } }
  | { ok: false; error: MetaErrorCode; message: string };

const OK: ApplyResult = { ok: true };

function fail(error: MetaErrorCode, message: string): ApplyResult {
  return { ok: false, error, message };
}

function copyPartition(p: PartitionAssignment | PartitionState): PartitionState {
  return {
    partition: p.partition,
    replicas: [...p.replicas],
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    isr: [...p.isr],
  };
}

function validAssignment(p: PartitionAssignment): boolean {
  const replicas = new Set(p.replicas);
  if (replicas.size !== p.replicas.length) return false;
  if (p.isr.some((id) => !replicas.has(id))) return false;
  return p.leader === null || replicas.has(p.leader);
}

export class MetaImage {
  private _appliedIndex = 0;
  private _appliedTerm = 0;
  private _nextProducerId = 0;
  private readonly _brokers = new Map<number, BrokerRegistration>();
  private readonly _topics = new Map<string, TopicState>();

  get appliedIndex(): number {
    return this._appliedIndex;
  }

  get appliedTerm(): number {
    return this._appliedTerm;
  }

  // The first producer id not yet handed out.
  get nextProducerId(): number {
    return this._nextProducerId;
  }

  broker(nodeId: number): Readonly<BrokerRegistration> | undefined {
    return this._brokers.get(nodeId);
  }

  brokers(): Readonly<BrokerRegistration>[] {
    return [...this._brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  topic(name: string): Readonly<TopicState> | undefined {
    return this._topics.get(name);
  }

  topics(): Readonly<TopicState>[] {
    return [...this._topics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // Applies one committed Raft entry carrying a batch of records; one result per record.
  applyEntry(data: Uint8Array, index: number, term: number): ApplyResult[] {
    if (index <= this._appliedIndex) {
      throw new Error(`__meta entry ${index} applied twice (applied through ${this._appliedIndex})`);
    }
    return decodeMetaBatch(data).map((r) => this.apply(r, index, term));
  }

  // Raft entries that carry no records (leader no-ops, membership changes) still advance the image.
  markApplied(index: number, term: number): void {
    if (index <= this._appliedIndex) {
      throw new Error(`__meta entry ${index} applied twice (applied through ${this._appliedIndex})`);
    }
    this.advance(index, term);
  }

  // Applies one record of the entry at `index`. The records of one batch share their entry's index, so
  // an index may repeat here (but never go back).
  apply(record: MetaRecord, index: number, term: number): ApplyResult {
    this.advance(index, term);
    switch (record.type) {
      case "register_broker":
        return this.register(record, index);
      case "unregister_broker": {
        const b = this.current(record.nodeId, record.brokerEpoch);
        if ("error" in b) return b;
        this._brokers.delete(record.nodeId);
        return OK;
      }
      case "fence_broker":
        return this.setState(record.nodeId, record.brokerEpoch, "fenced");
      case "unfence_broker":
        return this.setState(record.nodeId, record.brokerEpoch, "unfenced");
      case "broker_shutting_down":
        return this.setState(record.nodeId, record.brokerEpoch, "shutting_down");
      case "create_topic":
        return this.createTopic(record);
      case "delete_topic": {
        const t = this._topics.get(record.name);
        if (!t) return fail("UNKNOWN_TOPIC_OR_PARTITION", `no topic ${record.name}`);
        if (t.id !== record.topicId) return fail("UNKNOWN_TOPIC_ID", `topic ${record.name} has another id`);
        this._topics.delete(record.name);
        return OK;
      }
      case "create_partitions":
        return this.createPartitions(record);
      case "partition_change":
        return this.changePartition(record);
      case "topic_config": {
        const t = this._topics.get(record.topic);
        if (!t) return fail("UNKNOWN_TOPIC_OR_PARTITION", `no topic ${record.topic}`);
        if (record.topicId !== undefined && record.topicId !== t.id)
          return fail("UNKNOWN_TOPIC_ID", `topic ${record.topic} has another id`);
        // A new object, not an edit in place: replicas notice a change by identity.
        const configs = { ...t.configs };
        for (const key of record.delete) delete configs[key];
        t.configs = Object.assign(configs, record.set);
        return OK;
      }
      case "producer_id_block": {
        const b = this.current(record.nodeId, record.brokerEpoch);
        if ("error" in b) return b;
        const firstProducerId = this._nextProducerId;
        this._nextProducerId += record.size;
        return { ok: true, producerIdBlock: { firstProducerId, size: record.size } };
      }
    }
  }

  private advance(index: number, term: number): void {
    if (index < this._appliedIndex)
      throw new Error(`__meta index went back: ${index} < ${this._appliedIndex}`);
    this._appliedIndex = index;
    this._appliedTerm = term;
  }

  private register(r: RegisterBroker, index: number): ApplyResult {
    const existing = this._brokers.get(r.nodeId);
    if (existing && existing.incarnationId === r.incarnationId) {
      // A retried or repeated registration: same process, so it keeps its epoch and state.
      Object.assign(existing, {
        listeners: r.listeners.map((l) => ({ ...l })),
        raftAddress: r.raftAddress,
        rack: r.rack,
        version: r.version,
      });
      return { ok: true, brokerEpoch: existing.epoch };
    }
    // Another process claims this node id. Only a fenced predecessor may be replaced: the leader fences
    // a lapsed session (in the same batch) before proposing, and the log decides the rest.
    if (existing && existing.state !== "fenced") {
      return fail(
        "DUPLICATE_BROKER_REGISTRATION",
        `node ${r.nodeId} is registered by live incarnation ${existing.incarnationId}`,
      );
    }
    this._brokers.set(r.nodeId, {
      nodeId: r.nodeId,
      incarnationId: r.incarnationId,
      epoch: index,
      state: "registered",
      listeners: r.listeners.map((l) => ({ ...l })),
      raftAddress: r.raftAddress,
      rack: r.rack,
      version: r.version,
      registeredAt: r.timestamp,
    });
    return { ok: true, brokerEpoch: index };
  }

  private current(nodeId: number, brokerEpoch: number): BrokerRegistration | (ApplyResult & { ok: false }) {
    const b = this._brokers.get(nodeId);
    if (!b) return { ok: false, error: "BROKER_NOT_REGISTERED", message: `node ${nodeId} is not registered` };
    if (b.epoch !== brokerEpoch) {
      return {
        ok: false,
        error: "STALE_BROKER_EPOCH",
        message: `node ${nodeId} has epoch ${b.epoch}, record names ${brokerEpoch}`,
      };
    }
    return b;
  }

  private setState(nodeId: number, brokerEpoch: number, state: BrokerState): ApplyResult {
    const b = this.current(nodeId, brokerEpoch);
    if ("error" in b) return b;
    b.state = state;
    return OK;
  }

  private createTopic(r: CreateTopic): ApplyResult {
    if (this._topics.has(r.name)) return fail("TOPIC_ALREADY_EXISTS", `topic ${r.name} exists`);
    for (const t of this._topics.values()) {
      if (t.id === r.topicId)
        return fail("TOPIC_ALREADY_EXISTS", `topic id ${r.topicId} is taken by ${t.name}`);
    }
    const check = this.checkPartitions(r.partitions, 0);
    if (check) return check;
    this._topics.set(r.name, {
      name: r.name,
      id: r.topicId,
      internal: r.internal,
      configs: { ...r.configs },
      partitions: r.partitions.map(copyPartition),
    });
    return OK;
  }

  private createPartitions(r: CreatePartitions): ApplyResult {
    const t = this._topics.get(r.topic);
    if (!t) return fail("UNKNOWN_TOPIC_OR_PARTITION", `no topic ${r.topic}`);
    const check = this.checkPartitions(r.partitions, t.partitions.length);
    if (check) return check;
    t.partitions.push(...r.partitions.map(copyPartition));
    return OK;
  }

  private checkPartitions(parts: PartitionAssignment[], first: number): ApplyResult | undefined {
    for (const [i, p] of parts.entries()) {
      if (p.partition !== first + i) return fail("INVALID_PARTITIONS", `expected partition ${first + i}`);
      if (!validAssignment(p)) return fail("INVALID_REPLICA_ASSIGNMENT", `partition ${p.partition}`);
    }
    return undefined;
  }

  // Leader epochs only move forward; an equal epoch is the same leader updating its ISR (or the
  // controller moving a fenced leader away, which the partition's next election then supersedes).
  private changePartition(r: PartitionChange): ApplyResult {
    const p = this._topics.get(r.topic)?.partitions[r.partition];
    if (!p) return fail("UNKNOWN_TOPIC_OR_PARTITION", `no partition ${r.topic}-${r.partition}`);
    if (r.leaderEpoch < p.leaderEpoch) {
      return fail("FENCED_LEADER_EPOCH", `epoch ${r.leaderEpoch} < current ${p.leaderEpoch}`);
    }
    // A broker in controlled shutdown takes no leadership (a report it sent before it began
    // shutting down may arrive after): clients would be sent to a node about to leave.
    if (r.leader !== null && this._brokers.get(r.leader)?.state === "shutting_down") {
      return fail("BROKER_NOT_AVAILABLE", `broker ${r.leader} is shutting down`);
    }
    const next = {
      partition: p.partition,
      replicas: r.replicas ?? p.replicas,
      leader: r.leader,
      leaderEpoch: r.leaderEpoch,
      isr: r.isr,
    };
    if (!validAssignment(next))
      return fail("INVALID_REPLICA_ASSIGNMENT", `partition ${r.topic}-${r.partition}`);
    Object.assign(p, copyPartition(next));
    return OK;
  }

  // A compacted form of the whole image, so the __meta log can be truncated behind it.
  snapshot(): Uint8Array {
    const snap: ImageSnapshot = {
      format: 1,
      appliedIndex: this._appliedIndex,
      appliedTerm: this._appliedTerm,
      nextProducerId: this._nextProducerId,
      brokers: this.brokers().map((b) => ({ ...b, listeners: b.listeners.map((l) => ({ ...l })) })),
      topics: this.topics().map((t) => ({
        ...t,
        configs: Object.fromEntries(Object.entries(t.configs).sort(([a], [b]) => (a < b ? -1 : 1))),
        partitions: t.partitions.map(copyPartition),
      })),
    };
    return new TextEncoder().encode(JSON.stringify(snap));
  }

  // Replaces the whole image with a snapshot's.
  restore(bytes: Uint8Array): void {
    const snap = parseImageSnapshot(bytes);
    this._appliedIndex = snap.appliedIndex;
    this._appliedTerm = snap.appliedTerm;
    this._nextProducerId = snap.nextProducerId;
    this._brokers.clear();
    for (const b of snap.brokers) this._brokers.set(b.nodeId, b);
    this._topics.clear();
    for (const t of snap.topics) this._topics.set(t.name, t);
  }

  static fromSnapshot(bytes: Uint8Array): MetaImage {
    const image = new MetaImage();
    image.restore(bytes);
    return image;
  }
}
