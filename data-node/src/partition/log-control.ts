import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../../shared/log.ts";
import type { Entry } from "../raft/types.ts";
import type { RaftGroup } from "../raft-runtime/group.ts";
import {
  type CleanDecision,
  type CleanerLimits,
  CleaningInterrupted,
  cleanLog,
} from "../storage/cleaner/log-cleaner.ts";
import { planCleaning } from "../storage/cleaner/plan.ts";
import type { CompactionSettings } from "../storage/cleaner/settings.ts";
import type { DurableLog } from "../storage/durable-log.ts";
import { readSmallFile, writeSmallFile } from "../storage/small-file.ts";
import { nodeSyncOps } from "../storage/sync-ops.ts";
import { decodeControlEntry, encodeControlEntry } from "./control-entry.ts";

/*
 * The control entries of one partition replica (control-entry.ts): every replica carries them out on
 * its own log (compaction decisions one at a time in log order, in the background; a DeleteRecords at
 * once); the leader proposes them.
 *
 * Compaction is decided by the leader alone (planCleaning over its segments) and proposed as "clean
 * below `end`, the dirty section starting at `firstDirty`, as of `now`", which each replica applies to
 * whatever segments it has: the records that survive, and so the bytes a consumer reads, are the same
 * on every replica (DESIGN.md, "Compaction"). What each replica has carried out is kept in
 * `cleaner-state`, so a restart does not redo a cleaning when the log's entries are applied again.
 */

export type ControlLog = Pick<
  DurableLog,
  | "dir"
  | "segmentsToClean"
  | "installCleaned"
  | "syncFile"
  | "logStartOffset"
  | "advanceLogStart"
  | "cleanerView"
>;

interface CleanerState {
  // Raft index of the last compaction decision carried out here, and where its cleaning ended.
  index: number;
  firstDirty: number;
  tombstoneHorizon: number | null;
}

const STATE_FILE = "cleaner-state";
const STATE_KIND = 0x43;
// A cleaning the log keeps changing under (retention, a snapshot install) is tried this often.
const MAX_TRIES = 5;
const RETRY_MS = 500;

export interface LogControlOptions {
  logger: Logger;
  limits: () => CleanerLimits;
  fsync: boolean;
}

export class LogControl {
  private state: CleanerState;
  private readonly queue: { index: number; decision: CleanDecision }[] = [];
  private running: Promise<void> | null = null;
  private proposing = false;
  private stopped = false;
  // DeleteRecords proposed here, waiting for their entry to take effect here.
  private readonly done = new Map<number, () => void>();

  constructor(
    private readonly log: ControlLog,
    private readonly o: LogControlOptions,
  ) {
    const saved = readSmallFile(log.dir, STATE_FILE, STATE_KIND);
    this.state = saved
      ? (JSON.parse(saved.toString("utf8")) as CleanerState)
      : { index: 0, firstDirty: log.logStartOffset(), tombstoneHorizon: null };
  }

  // ---- every replica ----

  // A committed entry; false when it is not a control entry.
  apply(e: Entry): boolean {
    const control = decodeControlEntry(e);
    if (control === null) return false;
    if (control.kind === "delete-records") {
      // At once, not behind a cleaning: the log serializes its start changes, and a cleaning the
      // new start interrupts starts over.
      void this.log
        .advanceLogStart(control.logStartOffset)
        .catch((err) =>
          this.o.logger.error({ err, offset: control.logStartOffset }, "could not move the log start offset"),
        )
        .finally(() => this.done.get(e.index)?.());
      return true;
    }
    if (e.index > this.state.index) this.queue.push({ index: e.index, decision: control.decision });
    if (!this.running && this.queue.length > 0) this.running = this.work();
    return true;
  }

  get idle(): boolean {
    return this.running === null && this.queue.length === 0;
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private async work(): Promise<void> {
    try {
      for (let next = this.queue.shift(); next && !this.stopped; next = this.queue.shift()) {
        await this.clean(next.index, next.decision);
      }
    } finally {
      this.running = null;
    }
  }

  private async clean(index: number, decision: CleanDecision): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const started = performance.now();
      try {
        const stats = await cleanLog(this.log, decision, this.o.limits());
        const ms = performance.now() - started;
        this.o.logger.info(
          {
            ...decision,
            ms: Math.round(ms),
            mbPerSec: +(stats.bytesRead / 1e3 / Math.max(ms, 1)).toFixed(1),
            ...stats,
          },
          "log cleaned",
        );
        await this.saveState({
          index,
          firstDirty: decision.end,
          tombstoneHorizon: stats.earliestTombstoneHorizon,
        });
        return;
      } catch (err) {
        if (this.stopped) return;
        if (!(err instanceof CleaningInterrupted) || attempt >= MAX_TRIES) {
          // The log keeps every record the cleaning would have removed: nothing is lost, this replica
          // is only less compacted until the next decision.
          this.o.logger.error({ err, ...decision }, "log cleaning failed; skipping this decision");
          await this.saveState({ ...this.state, index });
          return;
        }
        await sleep(RETRY_MS);
      }
    }
  }

  private async saveState(s: CleanerState): Promise<void> {
    this.state = s;
    await writeSmallFile(
      this.log.dir,
      STATE_FILE,
      STATE_KIND,
      Buffer.from(JSON.stringify(s)),
      this.o.fsync ? nodeSyncOps : null,
    );
  }

  // ---- the leader ----

  // Proposes a cleaning when the log needs one. Only once everything before this leader's term has
  // been carried out here (its first entry of the term is applied and the queue is empty), so the plan
  // starts where the last decision ended.
  maybeClean(group: RaftGroup, highWatermark: number, settings: CompactionSettings, now: number): boolean {
    const status = group.status();
    if (status.role !== "leader" || this.proposing || !this.idle || this.stopped) return false;
    if (group.node.logTerm(status.applied) !== status.term) return false;
    const view = this.log.cleanerView();
    const plan = planCleaning({
      ...view,
      logStartOffset: this.log.logStartOffset(),
      highWatermark,
      firstDirty: this.state.firstDirty,
      tombstoneHorizon: this.state.tombstoneHorizon,
      now,
      settings,
    });
    if (plan === null) return false;
    // A tombstone may go only once every replica holds the decision that set its horizon (the last
    // one carried out here): a replica that got the entry holding the tombstone only later, from a
    // leader that had removed it, could otherwise keep records the tombstone deleted elsewhere.
    const progress = [...(status.progress?.values() ?? [])];
    const removeTombstones = progress.every((p) => p.match >= this.state.index);
    if (plan.reason === "tombstone horizon" && !removeTombstones) return false;
    const decision: CleanDecision = {
      firstDirty: plan.firstDirty,
      end: plan.end,
      now,
      deleteRetentionMs: settings.deleteRetentionMs,
      removeTombstones,
    };
    const p = group.propose(encodeControlEntry({ kind: "clean", decision }));
    if (!p.ok) return false;
    this.o.logger.info({ ...plan, removeTombstones }, "proposing a log cleaning");
    this.proposing = true;
    const settle = () => {
      this.proposing = false;
    };
    p.committed.then(settle, settle);
    return true;
  }

  // DeleteRecords: resolves once the new log start offset is in effect on this (leader) replica.
  async deleteRecords(group: RaftGroup, offset: number): Promise<boolean> {
    const p = group.propose(encodeControlEntry({ kind: "delete-records", logStartOffset: offset }));
    if (!p.ok) return false;
    const carriedOut = new Promise<void>((resolve) => this.done.set(p.index, resolve));
    try {
      await p.committed;
      await carriedOut;
      return true;
    } finally {
      this.done.delete(p.index);
    }
  }
}
