// What the compaction tests look at below the clients: a partition's batches as its leader serves them
// (Fetch over the generated codecs, every batch CRC-checked), its segment files on a node, and its log
// on disk once the node is down.
import fs from "node:fs";
import path from "node:path";
import { splitBatches } from "../../../data-node/src/kafka/protocol/record-batch.ts";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import type { TestNode } from "../../support/cluster.ts";
import { rawRequest } from "../../support/raw-kafka-client.ts";
import { allRecords, type ReadRecord } from "../../unit/storage/cleaner/batches.ts";

export interface PartitionData {
  logStart: number;
  highWatermark: number;
  batches: Buffer[];
  records: ReadRecord[];
}

// One Fetch (v12) of a partition at `offset`: its answer for that partition.
export async function fetchAt(node: TestNode, topic: string, partition: number, offset: bigint) {
  const res = await rawRequest(node.kafkaPort, 1, 12, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 4 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 4 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  });
  return res.responses[0].partitions[0];
}

// Every batch from the log start to the high watermark, read from `leader` (which must lead).
export async function fetchPartition(
  leader: TestNode,
  topic: string,
  partition: number,
): Promise<PartitionData> {
  const batches: Buffer[] = [];
  let offset = 0n;
  let logStart = -1;
  for (;;) {
    const p = await fetchAt(leader, topic, partition, offset);
    if (p.errorCode === 1 && logStart < 0) {
      offset = p.logStartOffset;
      logStart = Number(p.logStartOffset);
      continue;
    }
    if (p.errorCode !== 0)
      throw new Error(`Fetch ${topic}-${partition} from node ${leader.id}: error ${p.errorCode}`);
    if (logStart < 0) logStart = Number(p.logStartOffset);
    const records = p.records as Buffer | null;
    const split = records && records.length > 0 ? splitBatches(records) : null;
    if (split && !split.ok) throw new Error(`Fetch ${topic}-${partition}: ${split.reason}`);
    const got = split?.ok ? split.batches : [];
    batches.push(...got);
    const last = got.at(-1);
    if (!last)
      return {
        logStart,
        highWatermark: Number(p.highWatermark),
        batches,
        records: await allRecords(batches),
      };
    offset = last.readBigInt64BE(0) + BigInt(last.readInt32BE(23)) + 1n;
    if (offset >= p.highWatermark)
      return {
        logStart,
        highWatermark: Number(p.highWatermark),
        batches,
        records: await allRecords(batches),
      };
  }
}

function partitionDir(node: TestNode, topic: string, partition: number): string | undefined {
  const root = path.join(node.dataDir, "partitions");
  const name = fs.readdirSync(root).find((n) => n.startsWith(`${topic}-${partition}-`));
  return name && path.join(root, name);
}

// Bytes of the partition's segment files on the node.
export function segmentBytes(node: TestNode, topic: string, partition: number): number {
  const dir = partitionDir(node, topic, partition);
  if (!dir) return 0;
  let total = 0;
  for (const n of fs.readdirSync(dir)) {
    if (!n.endsWith(".log")) continue;
    try {
      total += fs.statSync(path.join(dir, n)).size;
    } catch {
      // Swapped away between the listing and the stat.
    }
  }
  return total;
}

// Files of a cleaning in progress (cleaner/swap-files.ts) in the partition's directory.
export function cleaningFiles(node: TestNode, topic: string, partition: number): string[] {
  const dir = partitionDir(node, topic, partition);
  return dir ? fs.readdirSync(dir).filter((n) => n.endsWith(".cleaned") || n.endsWith(".swap")) : [];
}

// The data batches a stopped node's replica holds, as its log would serve them.
export async function replicaOnDisk(node: TestNode, topic: string, partition: number): Promise<Buffer[]> {
  const dir = partitionDir(node, topic, partition);
  if (!dir) throw new Error(`node ${node.id} has no replica of ${topic}-${partition}`);
  const log = await DurableLog.open({ dir, recordBatches: true });
  try {
    const out: Buffer[] = [];
    let offset = log.logStartOffset();
    for (;;) {
      const r = log.read(offset, { maxBytes: 4 << 20 });
      if (r.batches.length === 0) return out;
      out.push(...r.batches.map((b) => Buffer.from(b)));
      offset = r.nextOffset;
    }
  } finally {
    await log.close();
  }
}

// What the replica has carried out of the partition's compaction decisions (partition/log-control.ts).
export function cleanerState(
  node: TestNode,
  topic: string,
  partition: number,
): { index: number; firstDirty: number; tombstoneHorizon: number | null } | null {
  const dir = partitionDir(node, topic, partition);
  const file = dir && path.join(dir, "cleaner-state");
  if (!file || !fs.existsSync(file)) return null;
  const bytes = fs.readFileSync(file);
  // A small state file: 9 bytes of header, the JSON payload, a 4-byte CRC.
  return JSON.parse(bytes.subarray(9, bytes.length - 4).toString("utf8"));
}
