import type { Entry } from "../raft/types.ts";

export class ProposalLostError extends Error {
  constructor(
    readonly index: number,
    reason: string,
  ) {
    super(`proposal at index ${index} was not committed: ${reason}`);
    this.name = "ProposalLostError";
  }
}

interface Waiter {
  term: number;
  appended?: () => void;
  committed: { resolve: (e: Entry) => void; reject: (err: Error) => void };
}

// Proposals waiting for their entry to reach the leader's disk (acks=1) and to be committed
// (acks=all). An entry committed at the proposal's index with another term means the proposal was
// overwritten by a new leader: it is rejected, never reported as committed.
export class ProposalWaiters {
  private readonly byIndex = new Map<number, Waiter>();

  add(index: number, term: number, onAppended?: () => void): Promise<Entry> {
    return new Promise((resolve, reject) => {
      this.byIndex.set(index, { term, appended: onAppended, committed: { resolve, reject } });
    });
  }

  persisted(entries: readonly Entry[]): void {
    for (const e of entries) {
      const w = this.byIndex.get(e.index);
      if (!w?.appended) continue;
      if (w.term === e.term) w.appended();
      w.appended = undefined;
    }
  }

  applied(entry: Entry): void {
    const w = this.byIndex.get(entry.index);
    if (!w) return;
    this.byIndex.delete(entry.index);
    if (w.term === entry.term) w.committed.resolve(entry);
    else w.committed.reject(new ProposalLostError(entry.index, `a leader of term ${entry.term} replaced it`));
  }

  failAll(reason: string): void {
    for (const [index, w] of this.byIndex) w.committed.reject(new ProposalLostError(index, reason));
    this.byIndex.clear();
  }

  get size(): number {
    return this.byIndex.size;
  }
}
