import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { FetchRequest } from "../protocol/generated/fetch-request.ts";
import type {
  FetchableTopicResponse,
  FetchResponse,
  FetchResponsePartitionData,
} from "../protocol/generated/fetch-response.ts";
import { type DataReplica, leaderReplica } from "./replica-lookup.ts";

const NO_RECORDS: Buffer[] = [];

interface Wanted {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  replica?: DataReplica;
  errorCode: number;
}

interface Pass {
  responses: FetchableTopicResponse[];
  bytes: number;
  // Kafka answers at once when any partition has an error, so the client can act on it.
  anyError: boolean;
  // Where each leader partition would see new data: its high watermark, or the fetch offset if beyond.
  waits: { replica: DataReplica; offset: number }[];
}

function errorEntry(partition: number, errorCode: number): FetchResponsePartitionData {
  return {
    partitionIndex: partition,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records: NO_RECORDS,
  };
}

// One read of every requested partition, in request order, within the request-wide byte budget.
// KIP-74: the first partition that returns data gets at least one whole batch even if it exceeds
// the limits; after that a batch that does not fit is left for the next fetch.
function readAll(topics: { topic: string; wanted: Wanted[] }[], maxBytes: number): Pass {
  let remaining = maxBytes;
  let bytes = 0;
  let anyError = false;
  const waits: Pass["waits"] = [];
  const responses = topics.map(({ topic, wanted }) => ({
    topic,
    partitions: wanted.map((w): FetchResponsePartitionData => {
      if (!w.replica) {
        anyError = true;
        return errorEntry(w.partition, w.errorCode);
      }
      const limit = Math.max(0, Math.min(w.maxBytes, remaining));
      const r = w.replica.read(w.fetchOffset, limit, bytes === 0);
      bytes += r.bytes;
      remaining -= r.bytes;
      if (r.errorCode !== 0) anyError = true;
      else waits.push({ replica: w.replica, offset: Math.max(w.fetchOffset, r.highWatermark) });
      return {
        partitionIndex: w.partition,
        errorCode: r.errorCode,
        highWatermark: BigInt(r.highWatermark),
        // No transactions: everything below the high watermark is stable.
        lastStableOffset: BigInt(r.highWatermark),
        logStartOffset: BigInt(r.logStartOffset),
        abortedTransactions: [],
        preferredReadReplica: -1,
        records: r.errorCode === 0 ? r.records : NO_RECORDS,
      };
    }),
  }));
  return { responses, bytes, anyError, waits };
}

// Resolves when any partition may have new data, or after `ms`.
async function waitForAny(waits: Pass["waits"], ms: number): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    await Promise.race(waits.map((w) => w.replica.waitForData(w.offset, ac.signal)));
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

function resolveTopics(ctx: BrokerContext, req: FetchRequest): { topic: string; wanted: Wanted[] }[] {
  return req.topics.map((t) => ({
    topic: t.topic,
    wanted: t.partitions.map((p): Wanted => {
      const found = leaderReplica(ctx, t.topic, p.partition, p.currentLeaderEpoch);
      const base = {
        partition: p.partition,
        fetchOffset: Number(p.fetchOffset),
        maxBytes: p.partitionMaxBytes,
      };
      return "replica" in found
        ? { ...base, replica: found.replica, errorCode: 0 }
        : { ...base, errorCode: found.errorCode };
    }),
  }));
}

// Fetch v0-12, sessionless (KIP-227: answering session id 0 tells the client no session was
// created, and it keeps sending full fetches). Long-polls until min_bytes or max_wait_ms, woken
// by the partitions' high watermarks.
export function createFetchHandler(ctx: BrokerContext): Handler<1> {
  return async (req, rctx) => {
    // A positive epoch continues an incremental session, and we never hand one out.
    if (rctx.apiVersion >= 7 && req.sessionEpoch > 0) {
      const res: FetchResponse = {
        throttleTimeMs: 0,
        errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
        sessionId: 0,
        responses: [],
      };
      return res;
    }
    const topics = resolveTopics(ctx, req);
    const deadline = ctx.now() + req.maxWaitMs;
    let pass = readAll(topics, req.maxBytes);
    while (pass.bytes < req.minBytes && !pass.anyError && pass.waits.length > 0) {
      const left = deadline - ctx.now();
      if (left <= 0) break;
      await waitForAny(pass.waits, left);
      pass = readAll(topics, req.maxBytes);
    }
    const res: FetchResponse = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: pass.responses };
    return res;
  };
}
