import { describe, expect, it } from "vitest";
import { createFetchHandler } from "../../../data-node/src/kafka/handlers/fetch.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { FetchRequest } from "../../../data-node/src/kafka/protocol/generated/fetch-request.ts";
import type {
  FetchResponse,
  FetchResponsePartitionData,
} from "../../../data-node/src/kafka/protocol/generated/fetch-response.ts";
import { waitFor } from "../../support/poll.ts";
import { addTopic, batchOf, type FakeContext, fakeContext, rctx, roundTrip, versions } from "./fakes.ts";

interface Want {
  topic: string;
  partition: number;
  offset?: number;
  partitionMaxBytes?: number;
}

function fetchReq(
  wants: Want[],
  o: Partial<Pick<FetchRequest, "maxWaitMs" | "minBytes" | "maxBytes" | "sessionId" | "sessionEpoch">> = {},
): FetchRequest {
  const topics = new Map<string, FetchRequest["topics"][number]>();
  for (const w of wants) {
    const t = topics.get(w.topic) ?? { topic: w.topic, partitions: [] };
    t.partitions.push({
      partition: w.partition,
      currentLeaderEpoch: -1,
      fetchOffset: BigInt(w.offset ?? 0),
      lastFetchedEpoch: -1,
      logStartOffset: -1n,
      partitionMaxBytes: w.partitionMaxBytes ?? 1 << 20,
    });
    topics.set(w.topic, t);
  }
  return {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 1,
    maxBytes: o.maxBytes ?? 50 << 20,
    isolationLevel: 0,
    sessionId: o.sessionId ?? 0,
    sessionEpoch: o.sessionEpoch ?? -1,
    topics: [...topics.values()],
    forgottenTopicsData: [],
    rackId: "",
  };
}

async function fetch(ctx: FakeContext, req: FetchRequest, version = 12): Promise<FetchResponse> {
  return (await createFetchHandler(ctx)(req, rctx(version))) as FetchResponse;
}

function part(res: FetchResponse, topic: string, partition: number): FetchResponsePartitionData {
  const p = res.responses
    .find((t) => t.topic === topic)
    ?.partitions.find((x) => x.partitionIndex === partition);
  if (!p) throw new Error(`no response for ${topic}-${partition}`);
  return p;
}

const recordsOf = (p: FetchResponsePartitionData) => p.records as Buffer[];
const sizeOf = (p: FetchResponsePartitionData) => recordsOf(p).reduce((n, b) => n + b.length, 0);

describe("Fetch handler", () => {
  it("returns the batches from the fetch offset as a list, with the partition's offsets", async () => {
    const ctx = fakeContext();
    const [p0] = addTopic(ctx, "t", 1);
    p0.append(batchOf("a"));
    p0.append(batchOf("b", "c"));
    const res = await fetch(ctx, fetchReq([{ topic: "t", partition: 0, offset: 1 }]));
    expect(res).toMatchObject({ throttleTimeMs: 0, errorCode: 0, sessionId: 0 });
    const p = part(res, "t", 0);
    expect(p).toMatchObject({
      errorCode: 0,
      highWatermark: 3n,
      lastStableOffset: 3n,
      logStartOffset: 0n,
      abortedTransactions: [],
      preferredReadReplica: -1,
    });
    expect(Array.isArray(p.records)).toBe(true);
    expect(recordsOf(p)).toEqual([p0.log[1]]);
  });

  it("answers unknown partitions with 3 and others' or followers' with 6, without waiting", async () => {
    const ctx = fakeContext();
    const [follower] = addTopic(ctx, "mine", 1);
    follower.isLeader = false;
    addTopic(ctx, "theirs", 1, false);
    const res = await fetch(
      ctx,
      fetchReq(
        [
          { topic: "nope", partition: 0 },
          { topic: "theirs", partition: 0 },
          { topic: "theirs", partition: 3 },
          { topic: "mine", partition: 0 },
        ],
        { maxWaitMs: 60_000 },
      ),
    );
    expect(part(res, "nope", 0).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(part(res, "theirs", 0).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(part(res, "theirs", 3).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(part(res, "mine", 0)).toMatchObject({
      errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
      highWatermark: -1n,
      records: [],
    });
  });

  it("answers an offset beyond the log with OFFSET_OUT_OF_RANGE at once", async () => {
    const ctx = fakeContext();
    const [p0] = addTopic(ctx, "t", 1);
    p0.append(batchOf("a"));
    const res = await fetch(ctx, fetchReq([{ topic: "t", partition: 0, offset: 5 }], { maxWaitMs: 60_000 }));
    expect(part(res, "t", 0)).toMatchObject({
      errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
      highWatermark: 1n,
      records: [],
    });
  });

  it("KIP-74: the first partition with data gets one whole batch even beyond the limits, later ones only what fits", async () => {
    const ctx = fakeContext();
    const [a, b, c] = addTopic(ctx, "t", 3);
    const big = "x".repeat(2000);
    a.append(batchOf(big));
    a.append(batchOf(big));
    b.append(batchOf(big));
    c.append(batchOf("small"));
    const res = await fetch(
      ctx,
      fetchReq(
        [
          { topic: "t", partition: 0, partitionMaxBytes: 100 },
          { topic: "t", partition: 1, partitionMaxBytes: 100_000 },
          { topic: "t", partition: 2, partitionMaxBytes: 100_000 },
        ],
        { maxBytes: 2500 },
      ),
    );
    expect(recordsOf(part(res, "t", 0))).toEqual([a.log[0]]);
    // 2500 - ~2070 left: b's 2 KB batch does not fit, c's small one does.
    expect(recordsOf(part(res, "t", 1))).toEqual([]);
    expect(part(res, "t", 1).highWatermark).toBe(1n);
    expect(recordsOf(part(res, "t", 2))).toEqual([c.log[0]]);
    expect(sizeOf(part(res, "t", 0))).toBeGreaterThan(100);
    expect(sizeOf(part(res, "t", 2))).toBeLessThanOrEqual(2500 - sizeOf(part(res, "t", 0)));
  });

  it("the partition limit caps one partition's batches after the first", async () => {
    const ctx = fakeContext();
    const [a] = addTopic(ctx, "t", 1);
    for (let i = 0; i < 5; i++) a.append(batchOf("v".repeat(100)));
    const one = a.log[0].length;
    const res = await fetch(ctx, fetchReq([{ topic: "t", partition: 0, partitionMaxBytes: one * 2 + 10 }]));
    expect(recordsOf(part(res, "t", 0))).toEqual(a.log.slice(0, 2));
  });

  it("long-polls until data arrives: woken by the partition before max_wait_ms", async () => {
    const ctx = fakeContext();
    const [a, b] = addTopic(ctx, "t", 2);
    a.append(batchOf("old"));
    const pending = fetch(
      ctx,
      fetchReq(
        [
          { topic: "t", partition: 0, offset: 1 },
          { topic: "t", partition: 1, offset: 0 },
        ],
        { maxWaitMs: 60_000 },
      ),
    );
    await waitFor("the fetch to wait on both partitions", () => a.waiting === 1 && b.waiting === 1);
    b.append(batchOf("new"));
    const res = await pending;
    expect(recordsOf(part(res, "t", 1))).toEqual([b.log[0]]);
    expect(part(res, "t", 1).highWatermark).toBe(1n);
    expect(recordsOf(part(res, "t", 0))).toEqual([]);
    // The other partition's waiter was released.
    expect(a.waiting).toBe(0);
  });

  it("keeps waiting while less than min_bytes has arrived", async () => {
    const ctx = fakeContext();
    const [a] = addTopic(ctx, "t", 1);
    const first = batchOf("1");
    const pending = fetch(
      ctx,
      fetchReq([{ topic: "t", partition: 0 }], { maxWaitMs: 60_000, minBytes: first.length + 1 }),
    );
    let done = false;
    void pending.then(() => (done = true));
    await waitFor("the fetch to wait", () => a.waiting === 1);
    a.append(first);
    await waitFor("the fetch to wait again after too little data", () => a.waiting === 1);
    expect(done).toBe(false);
    a.append(batchOf("2"));
    const res = await pending;
    expect(recordsOf(part(res, "t", 0))).toEqual(a.log);
  });

  it("times out after max_wait_ms with an empty result", async () => {
    const ctx = fakeContext();
    const [a] = addTopic(ctx, "t", 1);
    a.append(batchOf("a"));
    const res = await fetch(ctx, fetchReq([{ topic: "t", partition: 0, offset: 1 }], { maxWaitMs: 30 }));
    expect(part(res, "t", 0)).toMatchObject({ errorCode: 0, highWatermark: 1n, records: [] });
    expect(a.waiting).toBe(0);
  });

  it("wakes a waiting fetch when leadership is lost and answers 6", async () => {
    const ctx = fakeContext();
    const [a] = addTopic(ctx, "t", 1);
    const pending = fetch(ctx, fetchReq([{ topic: "t", partition: 0 }], { maxWaitMs: 60_000 }));
    await waitFor("the fetch to wait", () => a.waiting === 1);
    a.isLeader = false;
    a.append(batchOf("x"));
    const res = await pending;
    expect(part(res, "t", 0).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it("is sessionless: session id 0, and an incremental fetch gets FETCH_SESSION_ID_NOT_FOUND", async () => {
    const ctx = fakeContext();
    addTopic(ctx, "t", 1);
    const full = await fetch(
      ctx,
      fetchReq([{ topic: "t", partition: 0 }], { sessionId: 0, sessionEpoch: 0 }),
    );
    expect(full).toMatchObject({ errorCode: 0, sessionId: 0 });
    expect(full.responses).toHaveLength(1);
    const incremental = await fetch(ctx, fetchReq([], { sessionId: 77, sessionEpoch: 3 }));
    expect(incremental).toMatchObject({
      errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
      sessionId: 0,
      responses: [],
    });
  });

  it("every supported version encodes the response it builds", async () => {
    for (const v of versions(1)) {
      const ctx = fakeContext();
      const [a] = addTopic(ctx, "t", 1);
      a.append(batchOf("a"));
      a.append(batchOf("b"));
      const res = await fetch(
        ctx,
        fetchReq([
          { topic: "t", partition: 0 },
          { topic: "nope", partition: 0 },
        ]),
        v,
      );
      const back = roundTrip(1, res, v);
      const p = back.responses[0].partitions[0];
      expect(p.errorCode).toBe(0);
      expect(p.highWatermark).toBe(2n);
      expect(p.records).toEqual(Buffer.concat(a.log));
      expect(back.responses[1].partitions[0].errorCode).toBe(3);
      if (v >= 4) expect(p.lastStableOffset).toBe(2n);
      if (v >= 5) expect(p.logStartOffset).toBe(0n);
    }
  });
});
