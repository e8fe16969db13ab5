import { type FrameHeader, readHeader } from "../format.ts";
import { batchNextOffset } from "../record-batch.ts";
import { type CleanParams, cleanBatch, keyedRecords } from "./clean-batch.ts";
import { OffsetMap } from "./offset-map.ts";

export interface FrameRef {
  frame: Buffer;
  header: FrameHeader;
}

// Maps the keyed records of [from, end) until the map's budget is reached; returns the batch boundary
// it got to (end when everything fit). At least one batch is always mapped, so every pass progresses.
export async function fillMap(
  frames: Iterable<FrameRef>,
  map: OffsetMap,
  from: number,
  end: number,
  spent: (bytes: number) => Promise<void> = async () => {},
): Promise<number> {
  for (const { frame, header } of frames) {
    if (!header.isData || header.empty || header.nextOffset <= from) continue;
    if (header.baseOffset >= end) return end;
    const keys = (await keyedRecords(frame)).filter((k) => k.offset >= from);
    if (map.size > 0 && map.usedBytes + map.cost(keys.map((k) => k.key)) > map.budgetBytes)
      return header.baseOffset;
    for (const k of keys) map.put(k.key, k.offset);
    await spent(header.size);
  }
  return end;
}

// The whole cleaning of a log held in memory as its batches (in offset order): the same passes the
// durable cleaner (log-cleaner.ts) runs over segment files, for tests and for reasoning about it.
export async function cleanBatches(
  batches: readonly Buffer[],
  d: CleanParams & { firstDirty: number; end: number },
  mapBytes: number,
): Promise<Buffer[]> {
  let log = [...batches];
  const map = new OffsetMap(mapBytes);
  let from = d.firstDirty;
  do {
    map.clear();
    const mapped = await fillMap(
      log.map((b) => ({ frame: b, header: readHeader(b, b.length) })),
      map,
      from,
      d.end,
    );
    log = await Promise.all(
      log.map(async (b) => (batchNextOffset(b) <= mapped ? (await cleanBatch(b, map, d)).batch : b)),
    );
    from = mapped;
  } while (from < d.end);
  return log;
}
