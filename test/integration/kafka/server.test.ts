import { afterEach, describe, expect, it } from "vitest";
import { createApiVersionsHandler } from "../../../data-node/src/kafka/handlers/api-versions.ts";
import { encodeRequestFrame, readResponseFrame } from "../../../data-node/src/kafka/protocol/codec.ts";
import * as gen from "../../../data-node/src/kafka/protocol/generated/index.ts";
import { Reader } from "../../../data-node/src/kafka/protocol/reader.ts";
import { type HandlerTable, KafkaServer, NO_RESPONSE } from "../../../data-node/src/kafka/server.ts";
import { silentLogger } from "../../../shared/log.ts";
import { apiVersionsRequest, metadataRequest, RawClient, until } from "../../support/raw-kafka-client.ts";

let server: KafkaServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(
  handlers: HandlerTable,
  extra: { maxQueuedResponseBytes?: number; maxRequestBytes?: number; maxInFlightRequests?: number } = {},
) {
  const s: KafkaServer = new KafkaServer({
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger,
    handlers,
    ...extra,
  });
  server = s;
  return (await s.start()).port;
}

const emptyMetadata = (): gen.MetadataResponse => ({
  throttleTimeMs: 0,
  brokers: [],
  clusterId: null,
  controllerId: -1,
  topics: [],
  clusterAuthorizedOperations: 0,
});

function produceRequest(correlationId: number, acks: number): Buffer {
  return encodeRequestFrame(
    { requestApiKey: 0, requestApiVersion: 7, correlationId, clientId: "c" },
    { transactionalId: null, acks, timeoutMs: 100, topicData: [] },
    gen.sizeProduceRequest,
    gen.writeProduceRequest,
  );
}

describe("KafkaServer", () => {
  it("answers in request order when handlers finish out of order; acks=0 gets no response", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const seen: string[] = [];
    const port = await start({
      3: async (req) => {
        const name = req.topics?.[0]?.name ?? "";
        seen.push(name);
        if (name === "slow") await gate;
        return { ...emptyMetadata(), clusterId: name };
      },
      0: (req) => (req.acks === 0 ? NO_RESPONSE : { responses: [], throttleTimeMs: 0 }),
    });
    const c = await RawClient.open(port);
    c.send(
      metadataRequest(1, 2, ["slow"]),
      metadataRequest(2, 2, ["fast"]),
      produceRequest(3, 0),
      produceRequest(4, 1),
      metadataRequest(5, 2, ["fast2"]),
    );
    await until(() => seen.length === 3, 10_000);
    expect(c.frames).toHaveLength(0);
    release();
    const frames = await c.waitFrames(4);
    expect(frames.map((f) => f.readInt32BE(0))).toEqual([1, 2, 4, 5]);
    expect(gen.readMetadataResponse(new Reader(frames[1], 4), 2).clusterId).toBe("fast");
    c.close();
  });

  it("keeps answering pipelined requests in order under a tiny queued-bytes bound", async () => {
    const port = await start({ 3: () => emptyMetadata() }, { maxQueuedResponseBytes: 1 });
    const c = await RawClient.open(port);
    const n = 300;
    c.send(...Array.from({ length: n }, (_, i) => metadataRequest(i, 1, null)));
    const frames = await c.waitFrames(n);
    expect(frames.map((f) => f.readInt32BE(0))).toEqual(Array.from({ length: n }, (_, i) => i));
    c.close();
  });

  it("stops reading from a client that does not read its responses, and resumes when it does", async () => {
    let calls = 0;
    const big = "x".repeat(30_000);
    const port = await start(
      {
        3: () => {
          calls++;
          return { ...emptyMetadata(), clusterId: big };
        },
      },
      { maxQueuedResponseBytes: 64 * 1024 },
    );
    const c = await RawClient.open(port);
    c.socket.pause();
    const n = 200;
    c.send(...Array.from({ length: n }, (_, i) => metadataRequest(i, 2, null)));
    await until(() => calls >= 3, 10_000);
    c.socket.resume();
    const frames = await c.waitFrames(n, 20_000);
    expect(frames.map((f) => f.readInt32BE(0))).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(calls).toBe(n);
    c.close();
  });

  it("handles at most maxInFlightRequests requests of a connection at once", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    let running = 0;
    let maxRunning = 0;
    const port = await start(
      {
        3: async () => {
          calls++;
          maxRunning = Math.max(maxRunning, ++running);
          await gate;
          running--;
          return emptyMetadata();
        },
      },
      { maxInFlightRequests: 2 },
    );
    const c = await RawClient.open(port);
    c.send(...Array.from({ length: 6 }, (_, i) => metadataRequest(i, 1, null)));
    await until(() => calls === 2, 10_000);
    expect(maxRunning).toBe(2);
    release();
    const frames = await c.waitFrames(6);
    expect(frames.map((f) => f.readInt32BE(0))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(maxRunning).toBe(2);
    c.close();
  });

  it("sends Fetch records given as a list of buffers", async () => {
    const segments = [Buffer.alloc(50_000, 1), Buffer.alloc(10, 2), Buffer.alloc(70_000, 3)];
    const port = await start({
      1: () => ({
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: "t",
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 3n,
                lastStableOffset: 3n,
                logStartOffset: 0n,
                abortedTransactions: null,
                preferredReadReplica: -1,
                records: segments,
              },
            ],
          },
        ],
      }),
    });
    const c = await RawClient.open(port);
    for (const v of [4, 12]) {
      c.send(
        encodeRequestFrame(
          { requestApiKey: 1, requestApiVersion: v, correlationId: v, clientId: "c" },
          { ...gen.defaultFetchRequest(), topics: [] },
          gen.sizeFetchRequest,
          gen.writeFetchRequest,
        ),
      );
    }
    const frames = await c.waitFrames(2);
    const v4 = readResponseFrame(frames[0], 1, 4).body;
    const v12 = readResponseFrame(frames[1], 1, 12).body; // header v1 carries a tag section
    for (const res of [v4, v12]) {
      const got = res.responses[0].partitions[0].records as Buffer;
      expect(got.equals(Buffer.concat(segments))).toBe(true);
    }
    c.close();
  });

  it("closes only the connection whose handler throws", async () => {
    const port = await start({
      3: () => emptyMetadata(),
      12: () => {
        throw new Error("boom");
      },
    });
    const bad = await RawClient.open(port);
    const good = await RawClient.open(port);
    bad.send(
      encodeRequestFrame(
        { requestApiKey: 12, requestApiVersion: 0, correlationId: 1, clientId: null },
        { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: null },
        gen.sizeHeartbeatRequest,
        gen.writeHeartbeatRequest,
      ),
    );
    await bad.waitClosed();
    good.send(metadataRequest(2, 1, null));
    expect((await good.waitFrames(1))[0].readInt32BE(0)).toBe(2);
    good.close();
  });

  it("closes the connection on an unknown api key or an unsupported version of another api", async () => {
    const port = await start({ 3: () => emptyMetadata() });
    const unknown = await RawClient.open(port);
    const frame = metadataRequest(1, 1, null);
    frame.writeInt16BE(57, 4); // an api key we do not serve
    unknown.send(frame);
    await unknown.waitClosed();
    const tooNew = await RawClient.open(port);
    const v13 = metadataRequest(2, 9, null);
    v13.writeInt16BE(13, 6);
    tooNew.send(v13);
    await tooNew.waitClosed();
    expect(tooNew.frames).toHaveLength(0);
  });

  it("closes a connection that announces a frame above maxRequestBytes", async () => {
    const port = await start({ 3: () => emptyMetadata() }, { maxRequestBytes: 1024 });
    const c = await RawClient.open(port);
    const header = Buffer.alloc(4);
    header.writeInt32BE(4096);
    c.send(header);
    await c.waitClosed();
  });

  it("advertises only APIs with registered handlers, and narrowed ranges", async () => {
    const s: KafkaServer = new KafkaServer({
      host: "127.0.0.1",
      port: 0,
      logger: silentLogger,
      handlers: {
        0: () => NO_RESPONSE,
        18: createApiVersionsHandler(() => s.versions),
      },
      versions: [{ apiKey: 0, minVersion: 0, maxVersion: 7 }],
    });
    server = s;
    const { port } = await s.start();
    const c = await RawClient.open(port);
    c.send(apiVersionsRequest(1, 2));
    const [f] = await c.waitFrames(1);
    expect(gen.readApiVersionsResponse(new Reader(f, 4), 2).apiKeys).toEqual([
      { apiKey: 0, minVersion: 0, maxVersion: 7 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ]);
    c.close();
  });

  it("counts connections and closes them on stop", async () => {
    const port = await start({ 3: () => emptyMetadata() });
    const a = await RawClient.open(port);
    const b = await RawClient.open(port);
    await until(() => server!.connectionCount === 2, 10_000);
    await server!.stop();
    await a.waitClosed();
    await b.waitClosed();
    expect(server!.connectionCount).toBe(0);
  });
});
