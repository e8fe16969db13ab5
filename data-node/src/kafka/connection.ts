import type { Socket } from "node:net";
import type { Logger } from "../../../shared/log.ts";
import { FrameDecoder, FrameError } from "./framing.ts";
import { type HandlerTable, NO_RESPONSE, type RequestContext } from "./handler-types.ts";
import { apiVersionsBody } from "./handlers/api-versions.ts";
import {
  type AnyCodec,
  codecFor,
  encodeResponseFrame,
  readRequestHeaderOf,
  responseHeaderVersion,
  type VersionRange,
} from "./protocol/codec.ts";
import { DecodeError } from "./protocol/decode-error.ts";
import { ErrorCode } from "./protocol/errors.ts";
import {
  sizeApiVersionsResponse,
  writeApiVersionsResponse,
} from "./protocol/generated/api-versions-response.ts";
import { Reader } from "./protocol/reader.ts";

const API_VERSIONS = 18;
const EMPTY = Buffer.alloc(0);

type AnyHandler = (req: unknown, ctx: RequestContext) => unknown;

// One in-flight request's place in the response order. chunks === null: not answered yet;
// an empty list: answered with nothing (acks=0).
interface Slot {
  chunks: Buffer[] | null;
  bytes: number;
}

export interface ConnectionOptions {
  id: number;
  socket: Socket;
  handlers: HandlerTable;
  advertised: ReadonlyMap<number, VersionRange>;
  logger: Logger;
  maxRequestBytes: number;
  maxQueuedResponseBytes: number;
  maxInFlightRequests: number;
  onClose: () => void;
}

export class Connection {
  private readonly socket: Socket;
  private readonly log: Logger;
  private readonly frames: FrameDecoder;
  private readonly slots: Slot[] = [];
  private readonly backlog: Buffer[] = [];
  private backlogHead = 0;
  private draining = false;
  private queuedBytes = 0;
  private paused = false;
  private closed = false;
  private readonly remoteAddress: string;

  constructor(private readonly o: ConnectionOptions) {
    this.socket = o.socket;
    this.remoteAddress = `${o.socket.remoteAddress}:${o.socket.remotePort}`;
    this.log = o.logger.child({ conn: o.id, remote: this.remoteAddress });
    this.frames = new FrameDecoder(o.maxRequestBytes);
    this.socket.setNoDelay(true);
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("drain", () => this.maybeResume());
    this.socket.on("error", (err) => this.log.debug({ err: err.message }, "socket error"));
    this.socket.on("close", () => {
      this.closed = true;
      o.onClose();
    });
  }

  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason) this.log.warn({ reason }, "closing kafka connection");
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.frames.push(chunk);
    } catch (err) {
      if (err instanceof FrameError) {
        this.close(err.message);
        return;
      }
      throw err;
    }
    for (const f of frames) this.backlog.push(f);
    this.drainBacklog();
  }

  // Frames already read but not yet handled wait here while the connection is paused, so the
  // bound holds even when one socket chunk carries many pipelined requests.
  private drainBacklog(): void {
    if (this.draining) return; // re-entered from a synchronous response's flush
    this.draining = true;
    try {
      while (this.backlogHead < this.backlog.length && !this.paused && !this.closed) {
        const frame = this.backlog[this.backlogHead];
        this.backlog[this.backlogHead++] = EMPTY;
        this.onFrame(frame);
      }
    } finally {
      this.draining = false;
    }
    if (this.backlogHead === this.backlog.length) {
      this.backlog.length = 0;
      this.backlogHead = 0;
    }
  }

  private onFrame(frame: Buffer): void {
    let header: ReturnType<typeof readRequestHeaderOf>["header"];
    let bodyOffset: number;
    try {
      ({ header, bodyOffset } = readRequestHeaderOf(frame));
    } catch (err) {
      this.close(err instanceof DecodeError ? `malformed request header: ${err.message}` : String(err));
      return;
    }
    const { requestApiKey: apiKey, requestApiVersion: version, correlationId } = header;
    const codec = codecFor(apiKey);
    const handler = (this.o.handlers as Record<number, AnyHandler | undefined>)[apiKey];
    const range = this.o.advertised.get(apiKey);
    if (!codec || !handler || !range) {
      this.close(`unsupported api key ${apiKey}`);
      return;
    }
    if (version < range.minVersion || version > range.maxVersion) {
      if (apiKey === API_VERSIONS) {
        this.answerUnsupportedApiVersions(correlationId);
        return;
      }
      this.close(`unsupported version ${version} of api ${apiKey}`);
      return;
    }
    let request: unknown;
    try {
      request = codec.readRequest(new Reader(frame, bodyOffset), version);
    } catch (err) {
      this.close(
        err instanceof DecodeError ? `malformed ${codec.name} v${version}: ${err.message}` : String(err),
      );
      return;
    }
    const slot: Slot = { chunks: null, bytes: 0 };
    this.slots.push(slot);
    this.applyBackpressure();
    const ctx: RequestContext = {
      apiVersion: version,
      correlationId,
      clientId: header.clientId,
      connectionId: this.o.id,
      remoteAddress: this.remoteAddress,
    };
    let result: unknown;
    try {
      result = handler(request, ctx);
    } catch (err) {
      this.handlerFailed(codec, err);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (res) => this.complete(slot, codec, ctx, res),
        (err) => this.handlerFailed(codec, err),
      );
    } else {
      this.complete(slot, codec, ctx, result);
    }
  }

  // Kafka answers an ApiVersions request it cannot parse with a v0 body carrying error 35
  // and its ranges, so the client can retry with a version we know.
  private answerUnsupportedApiVersions(correlationId: number): void {
    const body = apiVersionsBody(ErrorCode.UNSUPPORTED_VERSION, [...this.o.advertised.values()]);
    const chunks = encodeResponseFrame(
      correlationId,
      0,
      body,
      0,
      sizeApiVersionsResponse,
      writeApiVersionsResponse,
    );
    this.slots.push({ chunks, bytes: byteLength(chunks) });
    this.queuedBytes += this.slots[this.slots.length - 1].bytes;
    this.flush();
  }

  private handlerFailed(codec: AnyCodec, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.close(`${codec.name} handler failed: ${message}`);
  }

  private complete(slot: Slot, codec: AnyCodec, ctx: RequestContext, res: unknown): void {
    if (this.closed) return;
    if (res === NO_RESPONSE) {
      slot.chunks = [];
    } else {
      try {
        slot.chunks = encodeResponseFrame(
          ctx.correlationId,
          responseHeaderVersion(codec, ctx.apiVersion),
          res,
          ctx.apiVersion,
          codec.sizeResponse,
          codec.writeResponse,
        );
      } catch (err) {
        this.handlerFailed(codec, err);
        return;
      }
      slot.bytes = byteLength(slot.chunks);
      this.queuedBytes += slot.bytes;
    }
    this.flush();
  }

  // Writes every answered response at the head of the queue, in request order, as one
  // corked burst (Node turns it into a single writev).
  private flush(): void {
    if (this.slots.length === 0 || this.slots[0].chunks === null) {
      this.applyBackpressure();
      return;
    }
    this.socket.cork();
    let n = 0;
    let wrote = false;
    while (n < this.slots.length && this.slots[n].chunks !== null) {
      const slot = this.slots[n++];
      for (const c of slot.chunks!) {
        this.socket.write(c);
        wrote = true;
      }
      this.queuedBytes -= slot.bytes;
    }
    this.slots.splice(0, n);
    // 'drain' only fires after a write that hit the high-water mark; this callback also
    // covers a pause caused by responses queued behind a slow head request.
    if (wrote) this.socket.write(EMPTY, () => this.maybeResume());
    this.socket.uncork();
    this.applyBackpressure();
    this.maybeResume();
  }

  private overLimit(): boolean {
    return (
      this.queuedBytes + this.socket.writableLength > this.o.maxQueuedResponseBytes ||
      this.slots.length >= this.o.maxInFlightRequests
    );
  }

  private applyBackpressure(): void {
    if (!this.paused && this.overLimit()) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private maybeResume(): void {
    if (this.paused && !this.closed && !this.overLimit()) {
      this.paused = false;
      this.drainBacklog();
      if (!this.paused && !this.closed) this.socket.resume();
    }
  }
}

function byteLength(chunks: readonly Buffer[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}
