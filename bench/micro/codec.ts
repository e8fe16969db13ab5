// Codec micro-benchmark: `node --import tsx bench/micro/codec.ts`. Prints a table of MB/s for
// encoding/decoding a Produce request (one 64 KiB batch) and a Fetch response (16 partitions
// x 64 KiB), next to a plain Buffer.copy of the same bytes. Writes no files.
import { encode, encodeResponseFrame } from "../../data-node/src/kafka/protocol/codec.ts";
import {
  type FetchResponse,
  type ProduceRequest,
  readFetchResponse,
  readProduceRequest,
  sizeFetchResponse,
  sizeProduceRequest,
  writeFetchResponse,
  writeProduceRequest,
} from "../../data-node/src/kafka/protocol/generated/index.ts";
import { Reader } from "../../data-node/src/kafka/protocol/reader.ts";
import { buildRecordBatch } from "../../data-node/src/kafka/protocol/record-batch.ts";

const KiB = 1024;
const DURATION_MS = 700;

function batchOf(bytes: number): Buffer {
  const value = Buffer.alloc(1000, 0x61);
  const n = Math.max(1, Math.floor(bytes / (value.length + 20)));
  return buildRecordBatch(
    Array.from({ length: n }, () => ({ value })),
    { baseTimestamp: 1_700_000_000_000n },
  );
}

// Runs fn repeatedly for DURATION_MS; returns MB/s for `bytes` per call.
function measure(bytes: number, fn: () => unknown): number {
  for (let i = 0; i < 50; i++) fn();
  let iterations = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(DURATION_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 20; i++) fn();
    iterations += 20;
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - start) / 1e9;
  return (bytes * iterations) / seconds / 1e6;
}

const produceBatch = batchOf(64 * KiB);
const produce: ProduceRequest = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30_000,
  topicData: [{ name: "bench", partitionData: [{ index: 0, records: produceBatch }] }],
};

const fetchSegments = Array.from({ length: 16 }, () => batchOf(64 * KiB));
const fetch: FetchResponse = {
  throttleTimeMs: 0,
  errorCode: 0,
  sessionId: 0,
  responses: [
    {
      topic: "bench",
      partitions: fetchSegments.map((records, partitionIndex) => ({
        partitionIndex,
        errorCode: 0,
        highWatermark: 1000n,
        lastStableOffset: 1000n,
        logStartOffset: 0n,
        abortedTransactions: null,
        preferredReadReplica: -1,
        records,
      })),
    },
  ],
};

const rows: Array<[string, number, number]> = [];
function row(name: string, bytes: number, fn: () => unknown): void {
  rows.push([name, bytes, measure(bytes, fn)]);
}

for (const v of [7, 9]) {
  const bytes = encode(produce, v, sizeProduceRequest, writeProduceRequest);
  row(`Produce v${v} encode (copy records)`, bytes.length, () =>
    encode(produce, v, sizeProduceRequest, writeProduceRequest),
  );
  row(`Produce v${v} decode (records as view)`, bytes.length, () => readProduceRequest(new Reader(bytes), v));
  const dst = Buffer.allocUnsafe(bytes.length);
  row(`  baseline Buffer.copy ${bytes.length} B`, bytes.length, () => bytes.copy(dst));
}

for (const v of [4, 12]) {
  const bytes = encode(fetch, v, sizeFetchResponse, writeFetchResponse);
  row(`Fetch v${v} encode, one buffer (copy)`, bytes.length, () =>
    encode(fetch, v, sizeFetchResponse, writeFetchResponse),
  );
  row(`Fetch v${v} encode, chunked frame (no copy)`, bytes.length, () =>
    encodeResponseFrame(1, v >= 12 ? 1 : 0, fetch, v, sizeFetchResponse, writeFetchResponse),
  );
  row(`Fetch v${v} decode (records as view)`, bytes.length, () => readFetchResponse(new Reader(bytes), v));
  const dst = Buffer.allocUnsafe(bytes.length);
  row(`  baseline Buffer.copy ${bytes.length} B`, bytes.length, () => bytes.copy(dst));
}

const nameWidth = Math.max(...rows.map((r) => r[0].length));
console.log(`${"operation".padEnd(nameWidth)}  ${"bytes".padStart(9)}  ${"MB/s".padStart(10)}`);
for (const [name, bytes, mbps] of rows) {
  console.log(`${name.padEnd(nameWidth)}  ${String(bytes).padStart(9)}  ${mbps.toFixed(0).padStart(10)}`);
}
