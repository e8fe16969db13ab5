import { ChunkedReader } from "./chunked-reader.ts";
import { CorruptLogError } from "./errors.ts";
import {
  FRAME_PREFIX,
  type FrameHeader,
  frameProblem,
  frameSize,
  PRIVATE_MAGIC,
  readHeader,
} from "./format.ts";
import { BATCH_MAGIC_V2 } from "./record-batch.ts";
import { SparseIndex } from "./sparse-index.ts";

export interface ScanInput {
  file: string;
  fd: number;
  fileSize: number;
  baseIndex: number;
  // Kafka offset the first frame must start at; null when unknown (a segment straddling the log start).
  expectedOffset: number | null;
  minTerm: number;
  recordBatches: boolean;
  // Last segment: a bad frame with nothing valid after it is a torn write, cut off. Elsewhere: corrupt.
  tolerateTornTail: boolean;
  intervalBytes: number;
  onFrame?: (index: number, pos: number, frame: Buffer, header: FrameHeader) => void;
}

export interface ScanResult {
  validBytes: number;
  count: number;
  baseOffset: number | null;
  nextOffset: number | null;
  maxTimestamp: number;
  lastTerm: number;
  index: SparseIndex | null;
  // Set when a torn tail was found: where the valid log ends and why the next frame failed.
  torn: { at: number; reason: string } | null;
}

// Walks a segment verifying every frame (CRC, continuity of offsets, monotonic terms).
export function scanSegment(input: ScanInput): ScanResult {
  const reader = new ChunkedReader(input.fd, input.fileSize, 1 << 20);
  let pos = 0;
  let count = 0;
  let expected = input.expectedOffset;
  let lastTerm = input.minTerm;
  let maxTs = -1;
  let baseOffset: number | null = null;
  let index: SparseIndex | null = null;
  let problem: string | null = null;
  while (pos < input.fileSize) {
    const prefix = reader.view(pos, FRAME_PREFIX);
    const size = prefix === null ? null : frameSize(prefix);
    const frame = size === null ? null : reader.view(pos, size);
    if (prefix === null) problem = "partial frame header";
    else if (size === null) problem = "impossible frame length";
    else if (frame === null) problem = "frame runs past the end of the file";
    else problem = frameProblem(frame, input.recordBatches);
    let header: FrameHeader | null = null;
    if (problem === null) {
      header = readHeader(frame!, size!);
      if (expected !== null && header.baseOffset !== expected) {
        problem = `baseOffset ${header.baseOffset} where ${expected} was expected`;
      } else if (header.term < lastTerm) {
        problem = `term ${header.term} after term ${lastTerm}`;
      }
    }
    if (problem !== null || header === null) break;
    if (index === null) {
      baseOffset = header.baseOffset;
      index = new SparseIndex(input.intervalBytes, baseOffset);
    }
    index.observe(count, pos, header.baseOffset, maxTs);
    input.onFrame?.(input.baseIndex + count, pos, frame!, header);
    if (header.maxTimestamp > maxTs) maxTs = header.maxTimestamp;
    expected = header.nextOffset;
    lastTerm = header.term;
    pos += header.size;
    count++;
  }
  let torn: ScanResult["torn"] = null;
  if (problem !== null) {
    if (!input.tolerateTornTail) throw new CorruptLogError(input.file, pos, problem);
    const valid = findValidFrameAfter(reader, pos, input.fileSize, input.recordBatches);
    if (valid !== null) {
      throw new CorruptLogError(input.file, pos, `${problem}; a valid frame follows at byte ${valid}`);
    }
    torn = { at: pos, reason: problem };
  }
  return {
    validBytes: pos,
    count,
    baseOffset,
    nextOffset: expected,
    maxTimestamp: maxTs,
    lastTerm,
    index,
    torn,
  };
}

// Looks past a bad frame for any intact frame. Finding one means the damage is not a torn tail.
function findValidFrameAfter(
  reader: ChunkedReader,
  from: number,
  end: number,
  recordBatches: boolean,
): number | null {
  for (let q = from + 1; q + 17 <= end; q++) {
    const head = reader.view(q, 17)!;
    const magic = head[16];
    if (magic !== PRIVATE_MAGIC && !(recordBatches && magic === BATCH_MAGIC_V2)) continue;
    const size = frameSize(head);
    if (size === null || q + size > end) continue;
    const frame = reader.view(q, size)!;
    if (frameProblem(frame, recordBatches) === null) return q;
  }
  return null;
}
