import { connect, type Socket } from "node:net";
import { FrameDecoder } from "../../data-node/src/kafka/framing.ts";
import { codecOf, encodeRequestFrame, readResponseFrame } from "../../data-node/src/kafka/protocol/codec.ts";
import type { ApiMessages } from "../../data-node/src/kafka/protocol/generated/apis.ts";
import type { FetchRequest } from "../../data-node/src/kafka/protocol/generated/fetch-request.ts";
import * as gen from "../../data-node/src/kafka/protocol/generated/index.ts";
import { ZERO_UUID } from "../../data-node/src/kafka/protocol/uuid.ts";

// A minimal Kafka client over a raw socket: write frames, collect response frames.
export class RawClient {
  readonly frames: Buffer[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder(1 << 30);

  private constructor(readonly socket: Socket) {
    socket.on("data", (c: Buffer) => this.frames.push(...this.decoder.push(c)));
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", () => {});
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => resolve(new RawClient(s)));
      s.once("error", reject);
    });
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  async waitFrames(n: number, timeoutMs = 10_000): Promise<Buffer[]> {
    await until(() => this.frames.length >= n || this.closed, timeoutMs);
    if (this.frames.length < n) throw new Error(`connection closed after ${this.frames.length}/${n} frames`);
    return this.frames.slice(0, n);
  }

  waitClosed(timeoutMs = 10_000): Promise<void> {
    return until(() => this.closed, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

export async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met before deadline");
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function apiVersionsRequest(correlationId: number, version: number): Buffer {
  return encodeRequestFrame(
    { requestApiKey: 18, requestApiVersion: version, correlationId, clientId: "raw" },
    { clientSoftwareName: "raw", clientSoftwareVersion: "1" },
    gen.sizeApiVersionsRequest,
    gen.writeApiVersionsRequest,
  );
}

export function metadataRequest(
  correlationId: number,
  version: number,
  topics: string[] | null,
  allowAutoTopicCreation = false,
): Buffer {
  return encodeRequestFrame(
    { requestApiKey: 3, requestApiVersion: version, correlationId, clientId: "raw" },
    {
      topics: topics === null ? null : topics.map((name) => ({ name, topicId: ZERO_UUID })),
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
    gen.sizeMetadataRequest,
    gen.writeMetadataRequest,
  );
}

// A consumer's Fetch of some partitions of one topic (from offset 0 unless given), answered at once.
export function consumerFetch(
  topic: string,
  partitions: { partition: number; fetchOffset?: bigint; currentLeaderEpoch?: number }[],
  maxBytes = 1 << 20,
): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: partitions.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
          fetchOffset: p.fetchOffset ?? 0n,
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: maxBytes,
        })),
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  };
}

// One request to the broker on `port` over a fresh connection, through the generated codecs, for an
// API no client on this machine calls; resolves with the decoded response body.
export async function rawRequest<K extends keyof ApiMessages>(
  port: number,
  apiKey: K,
  version: number,
  body: ApiMessages[K]["request"],
): Promise<ApiMessages[K]["response"]> {
  const codec = codecOf(apiKey);
  const client = await RawClient.open(port);
  try {
    client.send(
      encodeRequestFrame(
        { requestApiKey: apiKey, requestApiVersion: version, correlationId: 1, clientId: "raw" },
        body,
        codec.sizeRequest,
        codec.writeRequest,
      ),
    );
    const [frame] = await client.waitFrames(1);
    return readResponseFrame(frame, apiKey, version).body;
  } finally {
    client.close();
  }
}
