// The leader's view of each peer's log (model: etcd-io/raft tracker).

export enum ProgressState {
  /** Unknown match: send one append at a time and wait for the answer. */
  Probe = "probe",
  /** Known match: stream appends optimistically, bounded by the in-flight window. */
  Replicate = "replicate",
  /** A snapshot is on its way; send nothing until it is reported. */
  Snapshot = "snapshot",
}

/** Bounded window of appends sent but not yet acknowledged (by last index). */
export class Inflights {
  private items: { index: number; bytes: number }[] = [];
  private head = 0;
  private bytes = 0;
  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {}

  count(): number {
    return this.items.length - this.head;
  }

  full(): boolean {
    return this.count() >= this.maxCount || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  add(index: number, bytes: number): void {
    this.items.push({ index, bytes });
    this.bytes += bytes;
  }

  /** Release everything acknowledged up to and including index. */
  freeLE(index: number): void {
    while (this.head < this.items.length && this.items[this.head].index <= index) {
      this.bytes -= this.items[this.head].bytes;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  reset(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}

export class Progress {
  match = 0;
  state: ProgressState = ProgressState.Probe;
  pendingSnapshot = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** Probe: an append is outstanding. Replicate: the in-flight window is full. */
  paused = false;
  readonly inflights: Inflights;

  constructor(
    public next: number,
    public isLearner: boolean,
    maxInflight: number,
    maxInflightBytes: number,
  ) {
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  private resetState(s: ProgressState): void {
    this.paused = false;
    this.pendingSnapshot = 0;
    this.state = s;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot) {
      const pending = this.pendingSnapshot;
      this.resetState(ProgressState.Probe);
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState(ProgressState.Probe);
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate);
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState(ProgressState.Snapshot);
    this.pendingSnapshot = snapshotIndex;
  }

  /** Account for an append carrying `count` entries (ending at next+count-1) just sent. */
  sentEntries(count: number, bytes: number): void {
    if (this.state === ProgressState.Replicate) {
      if (count > 0) {
        this.next += count;
        this.inflights.add(this.next - 1, bytes);
      }
      this.paused = this.inflights.full();
    } else if (this.state === ProgressState.Probe) {
      this.paused = true;
    }
  }

  /** An acknowledgement of index n arrived; returns whether it was news. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.paused = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /** A rejection of the append at `rejected` arrived; returns false if it is stale. */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1);
    this.paused = false;
    return true;
  }

  isPaused(): boolean {
    if (this.state === ProgressState.Snapshot) return true;
    return this.paused;
  }
}

export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  recentActive: boolean;
  isLearner: boolean;
  pendingSnapshot: number;
}

export function quorum(n: number): number {
  return Math.floor(n / 2) + 1;
}
