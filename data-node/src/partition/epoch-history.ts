import type { Logger } from "../../../shared/log.ts";
import type { Entry } from "../raft/types.ts";
import type { DurableLog } from "../storage/durable-log.ts";
import { readSmallFile, writeSmallFile } from "../storage/small-file.ts";
import { nodeSyncOps } from "../storage/sync-ops.ts";
import { type EpochStart, endOffsetForEpoch, epochForOffset, kafkaEpochs } from "./leader-epochs.ts";

/*
 * A partition replica's leader-epoch history, Kafka's leader-epoch-checkpoint: for each Raft term with
 * entries in this replica's log, the Kafka offset and Raft index of its first entry. A leader epoch is
 * the Raft term (written into every batch as partitionLeaderEpoch), every frame carries its term and
 * an offset (a no-op's is the next offset), and each leader's first entry is a no-op: so a leader's
 * epoch starts at its log end when elected, as Kafka's leader assigns it, and every replica of the
 * committed log holds the same history.
 *
 * Kept in its own file, not re-derived from the log at open: compaction rewrites segments and may drop
 * the batches an epoch began with, retention and snapshots drop the log prefix, and after either the log
 * alone no longer says where earlier epochs started. The file is rewritten whenever the history changes
 * (a new term, a truncated tail, a snapshot install: rare), after the log write, so after a crash it may
 * lag the log; at open it is reconciled with the log's tail (below), which compaction never touches.
 */

export interface EpochEntry extends EpochStart {
  // Raft index of the epoch's first entry: a truncation of the log from an index drops the epochs
  // that began there or later (several epochs may start at one offset, never at one index).
  index: number;
}

// What the history reads from the partition's log.
export type EpochLog = Pick<
  DurableLog,
  "dir" | "term" | "firstIndex" | "lastIndex" | "nextOffsetAfter" | "logStartOffset" | "logEndOffset"
>;

const FILE = "leader-epochs";
const KIND = 0x45;

// The history last saved in a log's directory (empty when none was).
export function savedEpochs(dir: string): EpochEntry[] {
  const bytes = readSmallFile(dir, FILE, KIND);
  return bytes === null ? [] : (JSON.parse(bytes.toString("utf8")) as EpochEntry[]);
}

// The saved history made to agree with the log. Entries the log no longer holds (a torn tail cut at
// recovery, a truncation the file did not see) go: by Raft's log matching, once an entry's first index
// still carries its term, every earlier entry is intact too. Entries below the log's first index are
// kept as they are. Terms the log has past the last entry are added: terms never decrease along the
// log, so each new term's first index is found by bisection over term().
export function reconcile(saved: readonly EpochEntry[], log: EpochLog): EpochEntry[] {
  const start = log.firstIndex() - 1;
  const last = log.lastIndex();
  const entries = [...saved];
  for (let e = entries.at(-1); e; e = entries.at(-1)) {
    if (e.index <= last && (e.index < start || log.term(e.index) === e.epoch)) break;
    entries.pop();
  }
  // The offset an entry begins at; for the start index (compacted) the log start offset.
  const startOf = (index: number) => log.nextOffsetAfter(Math.max(index - 1, start));
  let at = Math.max(entries.at(-1)?.index ?? start, start);
  let term = entries.at(-1)?.epoch ?? 0;
  if (log.term(at) > term) {
    term = log.term(at);
    entries.push({ epoch: term, startOffset: startOf(at), index: at });
  }
  while (log.term(last) > term) {
    let lo = at;
    let hi = last;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (log.term(mid) > term) hi = mid;
      else lo = mid;
    }
    term = log.term(hi);
    at = hi;
    entries.push({ epoch: term, startOffset: startOf(hi), index: hi });
  }
  return entries;
}

export class EpochHistory {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly log: EpochLog,
    private entries: EpochEntry[],
    private readonly logger: Logger,
  ) {}

  // Reads the saved history and reconciles it with the just-opened log.
  static open(log: EpochLog, logger: Logger): EpochHistory {
    const saved = savedEpochs(log.dir);
    const entries = reconcile(saved, log);
    const history = new EpochHistory(log, entries, logger);
    if (JSON.stringify(entries) !== JSON.stringify(saved)) history.save();
    return history;
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  // Entries just written to the log, replacing whatever it held from their first index on.
  appended(written: readonly Entry[]): void {
    const first = this.log.firstIndex();
    const list = written[0]?.index < first ? written.filter((e) => e.index >= first) : written;
    if (list.length === 0) return;
    let changed = false;
    while (this.entries.length > 0 && this.entries[this.entries.length - 1].index >= list[0].index) {
      this.entries.pop();
      changed = true;
    }
    let term = this.entries.at(-1)?.epoch ?? 0;
    for (const e of list) {
      if (e.term <= term) continue;
      term = e.term;
      this.entries.push({ epoch: term, startOffset: this.log.nextOffsetAfter(e.index - 1), index: e.index });
      changed = true;
    }
    if (changed) this.save();
  }

  // A snapshot replaces the log: it now starts after `index` (of term `term`) at `nextOffset`. What the
  // replica knew of earlier epochs may include entries the snapshot overwrote, so only the snapshot's
  // own term is kept, covering the new log start.
  reset(term: number, nextOffset: number, index: number): void {
    this.entries = [{ epoch: term, startOffset: nextOffset, index }];
    this.save();
  }

  // OffsetForLeaderEpoch's answer for `requested`.
  endOffsetFor(requested: number): { leaderEpoch: number; endOffset: number } {
    return endOffsetForEpoch(this.kafkaView(), requested, this.log.logEndOffset());
  }

  // The epoch the record at `offset` was written in.
  epochAt(offset: number): number {
    return epochForOffset(this.kafkaView(), offset);
  }

  private kafkaView(): EpochStart[] {
    return kafkaEpochs(this.entries, this.log.logStartOffset());
  }

  // Resolves once every save asked for so far has been written (or has failed and been logged).
  settled(): Promise<void> {
    return this.writes;
  }

  // Writes run one after another, each with the history as it is then.
  private save(): void {
    this.writes = this.writes
      .then(() => {
        const payload = Buffer.from(JSON.stringify(this.entries));
        return writeSmallFile(this.log.dir, FILE, KIND, payload, nodeSyncOps);
      })
      .catch((err: unknown) =>
        this.logger.warn({ err, dir: this.log.dir }, "saving the leader-epoch history failed"),
      );
  }
}
