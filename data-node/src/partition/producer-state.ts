// Idempotent-producer bookkeeping for one partition: per producer id, its epoch and the last five
// batches (as Kafka keeps), so a retried batch is answered with its original offset and a gap in
// sequence numbers is refused. Pure: fed from batch headers, both at apply time on every replica
// (so a new leader has it) and at propose time on the leader (for batches still in flight).

export const NO_PRODUCER_ID = -1;
const KEEP_BATCHES = 5;

export interface BatchIdentity {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  // Number of records in the batch (lastOffsetDelta + 1).
  count: number;
}

interface SeenBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: SeenBatch[];
}

export type SequenceCheck =
  | { kind: "append" }
  | { kind: "duplicate"; baseOffset: number }
  | { kind: "out-of-order"; expected: number }
  | { kind: "fenced-epoch"; current: number };

const lastSeqOf = (b: BatchIdentity) => (b.baseSequence + b.count - 1) % 2 ** 31;

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  check(b: BatchIdentity): SequenceCheck {
    if (b.producerId === NO_PRODUCER_ID) return { kind: "append" };
    const p = this.producers.get(b.producerId);
    if (!p) return { kind: "append" };
    if (b.producerEpoch < p.epoch) return { kind: "fenced-epoch", current: p.epoch };
    // A new epoch starts its sequence again at 0.
    if (b.producerEpoch > p.epoch)
      return b.baseSequence === 0 ? { kind: "append" } : { kind: "out-of-order", expected: 0 };
    const lastSeq = lastSeqOf(b);
    const dup = p.batches.find((s) => s.firstSeq === b.baseSequence && s.lastSeq === lastSeq);
    if (dup) return { kind: "duplicate", baseOffset: dup.baseOffset };
    const last = p.batches[p.batches.length - 1];
    const expected = last ? (last.lastSeq + 1) % 2 ** 31 : 0;
    if (last && b.baseSequence !== expected) return { kind: "out-of-order", expected };
    return { kind: "append" };
  }

  record(b: BatchIdentity, baseOffset: number): void {
    if (b.producerId === NO_PRODUCER_ID) return;
    let p = this.producers.get(b.producerId);
    if (!p || b.producerEpoch > p.epoch) {
      p = { epoch: b.producerEpoch, batches: [] };
      this.producers.set(b.producerId, p);
    }
    p.batches.push({ firstSeq: b.baseSequence, lastSeq: lastSeqOf(b), baseOffset });
    if (p.batches.length > KEEP_BATCHES) p.batches.shift();
  }

  clone(): ProducerStateTable {
    const t = new ProducerStateTable();
    for (const [id, p] of this.producers) t.producers.set(id, { epoch: p.epoch, batches: [...p.batches] });
    return t;
  }

  get size(): number {
    return this.producers.size;
  }
}
