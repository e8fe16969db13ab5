import { describe, expect, it } from "vitest";
import { EpochHistory, savedEpochs } from "../../../data-node/src/partition/epoch-history.ts";
import type { Entry } from "../../../data-node/src/raft/types.ts";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { silentLogger } from "../../../shared/log.ts";
import { waitFor } from "../../support/poll.ts";
import { dataEntry, noop } from "../storage/batches.ts";
import { tmpDir } from "../storage/tmp.ts";

const open = (dir: string) => DurableLog.open({ dir, recordBatches: true, segmentBytes: 4096 });

// Appends as the Raft runtime does: the log first, then the history is told.
function write(log: DurableLog, history: EpochHistory | null, entries: Entry[]): void {
  log.append(entries);
  history?.appended(entries);
}

// Terms 1 (offsets 0-2), 2 (3-4) and 4 (from 5), each opened by a leader's no-op.
function threeTerms(log: DurableLog, history: EpochHistory | null): void {
  write(log, history, [noop(1, 1), dataEntry(2, 1, 0, 3)]);
  write(log, history, [noop(3, 2), dataEntry(4, 2, 3, 2)]);
  write(log, history, [noop(5, 4), dataEntry(6, 4, 5, 1)]);
}

// A fresh log holding the three terms, with its history.
async function threeTermLog() {
  const dir = tmpDir();
  const log = await open(dir);
  const history = EpochHistory.open(log, silentLogger);
  threeTerms(log, history);
  return { dir, log, history };
}

const THREE_TERMS = [
  { epoch: 1, startOffset: 0, index: 1 },
  { epoch: 2, startOffset: 3, index: 3 },
  { epoch: 4, startOffset: 5, index: 5 },
];

describe("EpochHistory", () => {
  it("records where each term starts, answers OffsetForLeaderEpoch from it, and saves it", async () => {
    const { dir, log, history } = await threeTermLog();
    expect(history.all).toEqual(THREE_TERMS);
    expect([1, 2, 3, 4, 5].map((e) => history.endOffsetFor(e))).toEqual([
      { leaderEpoch: 1, endOffset: 3 },
      { leaderEpoch: 2, endOffset: 5 },
      { leaderEpoch: 2, endOffset: 5 },
      { leaderEpoch: 4, endOffset: 6 },
      { leaderEpoch: -1, endOffset: -1 },
    ]);
    expect([0, 2, 3, 5].map((o) => history.epochAt(o))).toEqual([1, 1, 2, 4]);
    await waitFor(
      "the saved history",
      () => JSON.stringify(savedEpochs(dir)) === JSON.stringify(THREE_TERMS),
    );
    await log.close();
    const reopened = await open(dir);
    expect(EpochHistory.open(reopened, silentLogger).all).toEqual(THREE_TERMS);
    await reopened.close();
  });

  it("drops the epochs of a truncated tail", async () => {
    const { log, history } = await threeTermLog();
    // A leader of term 5 replaces the log from index 4 on.
    write(log, history, [dataEntry(4, 5, 3, 1)]);
    expect(history.all).toEqual([THREE_TERMS[0], THREE_TERMS[1], { epoch: 5, startOffset: 3, index: 4 }]);
    // Epoch 2 wrote nothing that survived: as in Kafka, it ends where it started.
    expect(history.endOffsetFor(2)).toEqual({ leaderEpoch: 1, endOffset: 3 });
    expect(history.endOffsetFor(4)).toEqual({ leaderEpoch: 1, endOffset: 3 });
    expect(history.endOffsetFor(5)).toEqual({ leaderEpoch: 5, endOffset: 4 });
    await log.close();
  });

  it("is rebuilt from the log when no history was saved", async () => {
    const dir = tmpDir();
    const log = await open(dir);
    threeTerms(log, null);
    expect(EpochHistory.open(log, silentLogger).all).toEqual(THREE_TERMS);
    await log.close();
  });

  it("at open, catches up with entries written after the last save and forgets a tail the log lost", async () => {
    const { dir, log } = await threeTermLog();
    await waitFor("the saved history", () => savedEpochs(dir).length === 3);
    // The process dies after these reach the log but before the history hears of them: term 4's tail
    // is replaced by term 6, then term 7 follows.
    write(log, null, [dataEntry(6, 6, 5, 2), noop(7, 7), dataEntry(8, 7, 7, 1)]);
    await log.close();
    const reopened = await open(dir);
    const first = EpochHistory.open(reopened, silentLogger);
    await first.settled();
    expect(first.all).toEqual([
      THREE_TERMS[0],
      THREE_TERMS[1],
      THREE_TERMS[2],
      { epoch: 6, startOffset: 5, index: 6 },
      { epoch: 7, startOffset: 7, index: 7 },
    ]);
    // And the reverse: the log lost the whole of term 4 the history had saved.
    write(reopened, null, [dataEntry(5, 8, 5, 1)]);
    await reopened.close();
    const again = await open(dir);
    const last = EpochHistory.open(again, silentLogger);
    expect(last.all).toEqual([THREE_TERMS[0], THREE_TERMS[1], { epoch: 8, startOffset: 5, index: 5 }]);
    // Opening rewrote the saved history; the directory is removed after the test.
    await last.settled();
    await again.close();
  });

  it("keeps the epochs of a removed log prefix, and answers as Kafka from the log start on", async () => {
    const { dir, log, history } = await threeTermLog();
    for (let i = 7; i < 60; i++) write(log, history, [dataEntry(i, 4, i - 1, 1)]);
    await waitFor("the saved history", () => savedEpochs(dir).length === 3);
    // Retention (or a snapshot) removes the prefix up to index 40: terms 1 and 2 are gone from the log.
    await log.compact(40);
    expect(log.logStartOffset()).toBe(40);
    await log.close();
    const reopened = await open(dir);
    const back = EpochHistory.open(reopened, silentLogger);
    expect(back.all).toEqual(THREE_TERMS);
    // Epochs older than the log start end where the oldest remaining one starts: the log start.
    expect(back.endOffsetFor(1)).toEqual({ leaderEpoch: 1, endOffset: 40 });
    expect(back.endOffsetFor(4)).toEqual({ leaderEpoch: 4, endOffset: 59 });
    expect(back.epochAt(40)).toBe(4);
    await reopened.close();
  });

  it("after a snapshot install knows only the snapshot's term, from the new log start", async () => {
    const { dir, log, history } = await threeTermLog();
    history.reset(9, 100, 80);
    expect(history.all).toEqual([{ epoch: 9, startOffset: 100, index: 80 }]);
    await waitFor("the saved history", () => savedEpochs(dir)[0]?.epoch === 9);
    await log.close();
  });
});
