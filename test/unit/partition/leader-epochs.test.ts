import { describe, expect, it } from "vitest";
import {
  endOffsetForEpoch,
  epochForOffset,
  kafkaEpochs,
} from "../../../data-node/src/partition/leader-epochs.ts";

const e = (epoch: number, startOffset: number) => ({ epoch, startOffset });

describe("kafkaEpochs", () => {
  it("drops an epoch that wrote nothing before the next began", () => {
    expect(kafkaEpochs([e(1, 0), e(2, 5), e(3, 5), e(4, 9)], 0)).toEqual([e(1, 0), e(3, 5), e(4, 9)]);
  });

  it("collapses the epochs before the log start into the one covering it, starting there", () => {
    const history = [e(1, 0), e(2, 5), e(4, 9)];
    expect(kafkaEpochs(history, 7)).toEqual([e(2, 7), e(4, 9)]);
    expect(kafkaEpochs(history, 9)).toEqual([e(4, 9)]);
    expect(kafkaEpochs(history, 12)).toEqual([e(4, 12)]);
  });
});

describe("endOffsetForEpoch", () => {
  // Epoch 1 wrote [0, 10), epoch 3 [10, 20), epoch 5 from 20 to the log end 30.
  const epochs = [e(1, 0), e(3, 10), e(5, 20)];

  it("answers the log end offset for the latest epoch", () => {
    expect(endOffsetForEpoch(epochs, 5, 30)).toEqual({ leaderEpoch: 5, endOffset: 30 });
  });

  it("answers the start of the next higher epoch for an earlier one", () => {
    expect(endOffsetForEpoch(epochs, 1, 30)).toEqual({ leaderEpoch: 1, endOffset: 10 });
    expect(endOffsetForEpoch(epochs, 3, 30)).toEqual({ leaderEpoch: 3, endOffset: 20 });
  });

  it("answers the largest epoch below an epoch this log never had", () => {
    expect(endOffsetForEpoch(epochs, 2, 30)).toEqual({ leaderEpoch: 1, endOffset: 10 });
    expect(endOffsetForEpoch(epochs, 4, 30)).toEqual({ leaderEpoch: 3, endOffset: 20 });
  });

  it("answers the requested epoch ending at the first known start when it is older than all", () => {
    expect(endOffsetForEpoch([e(3, 10), e(5, 20)], 1, 30)).toEqual({ leaderEpoch: 1, endOffset: 10 });
  });

  it("answers undefined for an unknown future epoch, UNDEFINED_EPOCH and an empty history", () => {
    const undef = { leaderEpoch: -1, endOffset: -1 };
    expect(endOffsetForEpoch(epochs, 6, 30)).toEqual(undef);
    expect(endOffsetForEpoch(epochs, -1, 30)).toEqual(undef);
    expect(endOffsetForEpoch([], 1, 30)).toEqual(undef);
  });
});

describe("epochForOffset", () => {
  it("finds the epoch a record was written in", () => {
    const epochs = [e(1, 0), e(3, 10), e(5, 20)];
    expect([0, 9, 10, 19, 20, 99].map((o) => epochForOffset(epochs, o))).toEqual([1, 1, 3, 3, 5, 5]);
    expect(epochForOffset([e(3, 10)], 4)).toBe(-1);
  });
});
