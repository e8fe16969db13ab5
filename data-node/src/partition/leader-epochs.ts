// Kafka's answers from a leader-epoch history (LeaderEpochFileCache): OffsetForLeaderEpoch's end
// offset of an epoch (KIP-101, KIP-320) and the epoch an offset was written in. Pure.

export interface EpochStart {
  epoch: number;
  startOffset: number;
}

// Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET.
export const UNDEFINED = -1;

// The history as Kafka's cache would hold it: an epoch that wrote nothing before the next began is
// replaced by it (start offsets strictly increase), and the epochs before the log start collapse into
// the one covering it, which then starts there.
export function kafkaEpochs(history: readonly EpochStart[], logStartOffset: number): EpochStart[] {
  const out: EpochStart[] = [];
  for (const e of history) {
    while (out.length > 0 && out[out.length - 1].startOffset >= e.startOffset) out.pop();
    out.push({ epoch: e.epoch, startOffset: e.startOffset });
  }
  let before = 0;
  while (before < out.length && out[before].startOffset <= logStartOffset) before++;
  if (before === 0) return out;
  return [{ epoch: out[before - 1].epoch, startOffset: logStartOffset }, ...out.slice(before)];
}

// The largest epoch ≤ `requested` and where it ends: the start of the next higher epoch, or the log end
// offset for the latest epoch. An epoch older than every known one ends where the oldest known begins
// (its data is gone anyway); one newer than every known one, or UNDEFINED, is answered UNDEFINED.
export function endOffsetForEpoch(
  epochs: readonly EpochStart[],
  requested: number,
  logEndOffset: number,
): { leaderEpoch: number; endOffset: number } {
  const undefinedAnswer = { leaderEpoch: UNDEFINED, endOffset: UNDEFINED };
  if (requested === UNDEFINED || epochs.length === 0) return undefinedAnswer;
  if (epochs[epochs.length - 1].epoch === requested)
    return { leaderEpoch: requested, endOffset: logEndOffset };
  const higher = epochs.findIndex((e) => e.epoch > requested);
  if (higher < 0) return undefinedAnswer;
  const endOffset = epochs[higher].startOffset;
  return { leaderEpoch: higher === 0 ? requested : epochs[higher - 1].epoch, endOffset };
}

// The epoch whose records include `offset` (the latest one starting at or before it), or UNDEFINED.
export function epochForOffset(epochs: readonly EpochStart[], offset: number): number {
  let found = UNDEFINED;
  for (const e of epochs) {
    if (e.startOffset > offset) break;
    found = e.epoch;
  }
  return found;
}
