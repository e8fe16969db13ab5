import type * as grpc from "@grpc/grpc-js";
import type { Logger } from "../../../shared/log.ts";
import { type BackoffPolicy, backoffDelay } from "./backoff.ts";
import { encodeBatches } from "./envelope.ts";
import { type Identity, PROTOCOL_VERSION, refuseReply } from "./handshake.ts";
import { PeerQueue } from "./peer-queue.ts";
import {
  batchFieldHeader,
  type ClientFrame,
  type ForwardReplyMsg,
  type ForwardRequestMsg,
  type HelloMsg,
  type ServerFrame,
} from "./proto.ts";
import type { PeerAddress, PeerMetrics, PeerStatus } from "./types.ts";

export interface RaftClient extends grpc.Client {
  Stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<ClientFrame, ServerFrame>;
  Forward(
    request: ForwardRequestMsg,
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, reply?: ForwardReplyMsg) => void,
  ): grpc.ClientUnaryCall;
}

export interface LinkConfig {
  self: Identity;
  logger: Logger;
  backoff: BackoffPolicy;
  random: () => number;
  handshakeTimeoutMs: number;
  maxBatchBytes: number;
  maxQueueMessages: number;
  maxQueueBytes: number;
  onStatus: (peer: number, status: PeerStatus, previous: PeerStatus) => void;
}

// The outbound side of one peer pair: a single bidi stream opened by this node, a handshake on every
// (re)connection, a bounded queue, and reconnection with backoff. Status changes are logged once each;
// retries that fail the same way are silent.
export class PeerLink {
  status: PeerStatus = "connecting";
  refusal: string | undefined;
  readonly queue: PeerQueue;
  readonly metrics: Pick<PeerMetrics, "messagesSent" | "bytesSent" | "batchesSent" | "reconnects"> = {
    messagesSent: 0,
    bytesSent: 0,
    batchesSent: 0,
    reconnects: 0,
  };
  private call: grpc.ClientDuplexStream<ClientFrame, ServerFrame> | undefined;
  private ready = false;
  private blocked = false;
  private generation = 0;
  private attempt = 0;
  private handshakes = 0;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly peer: PeerAddress,
    readonly client: RaftClient,
    private readonly cfg: LinkConfig,
  ) {
    this.queue = new PeerQueue(cfg.maxQueueMessages, cfg.maxQueueBytes);
  }

  hello(): HelloMsg {
    return {
      clusterId: this.cfg.self.clusterId,
      fromNode: this.cfg.self.nodeId,
      toNode: this.peer.id,
      protocolVersion: PROTOCOL_VERSION,
    };
  }

  open(): void {
    if (this.closed) return;
    const gen = ++this.generation;
    const call = this.client.Stream();
    this.call = call;
    this.ready = false;
    this.blocked = false;
    const current = () => gen === this.generation;
    call.on("data", (frame: ServerFrame) => current() && this.onReply(frame));
    call.on("error", (err: grpc.ServiceError) => current() && this.fail(err.details || err.message));
    call.on("end", () => current() && this.fail("stream closed by peer"));
    call.on("drain", () => {
      if (!current()) return;
      this.blocked = false;
      this.flush();
    });
    call.write({ hello: this.hello() });
    this.handshakeTimer = setTimeout(
      () => current() && this.fail(`no handshake reply within ${this.cfg.handshakeTimeoutMs} ms`),
      this.cfg.handshakeTimeoutMs,
    );
  }

  flush(): void {
    if (!this.ready || this.blocked || this.queue.length === 0 || !this.call) return;
    const bytes = this.queue.payloadBytes;
    const items = this.queue.takeAll();
    for (const encoded of encodeBatches(items, this.cfg.maxBatchBytes, batchFieldHeader)) {
      // The rest of this flush is already dequeued, so it is written regardless; later flushes wait for
      // 'drain' and keep queueing (bounded) meanwhile.
      if (!this.call.write({ frame: "encoded", encoded })) this.blocked = true;
      this.metrics.batchesSent++;
    }
    this.metrics.messagesSent += items.length;
    this.metrics.bytesSent += bytes;
  }

  close(): void {
    this.closed = true;
    this.generation++;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.call = undefined;
    this.client.close();
  }

  private onReply(frame: ServerFrame): void {
    if (this.ready) return;
    clearTimeout(this.handshakeTimer);
    if (frame.frame !== "helloReply" || !frame.helloReply) {
      this.fail("peer sent something other than a handshake reply");
      return;
    }
    const refusal = refuseReply(this.peer, this.cfg.self.clusterId, frame.helloReply);
    if (refusal !== undefined) {
      this.refuse(refusal);
      return;
    }
    this.ready = true;
    this.attempt = 0;
    this.refusal = undefined;
    if (++this.handshakes > 1) this.metrics.reconnects++;
    this.setStatus("connected", "handshake accepted");
    this.flush();
  }

  private refuse(message: string): void {
    this.dropCall();
    if (this.status !== "refused" || this.refusal !== message)
      this.cfg.logger.error({ peer: this.peer.id }, message);
    this.refusal = message;
    this.setStatus("refused", message);
    this.scheduleRetry();
  }

  private fail(reason: string): void {
    this.dropCall();
    if (this.status !== "refused") this.setStatus("unreachable", reason);
    this.scheduleRetry();
  }

  private dropCall(): void {
    this.generation++;
    clearTimeout(this.handshakeTimer);
    this.ready = false;
    this.call?.cancel();
    this.call = undefined;
  }

  // The peer just connected to us (a restart): reconnect now rather than at the next backoff step.
  retryNow(): void {
    if (this.closed || this.retryTimer === undefined || this.status === "connected") return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt = 0;
    this.open();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    const delay = backoffDelay(this.cfg.backoff, this.attempt++, this.cfg.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, delay);
  }

  private setStatus(next: PeerStatus, reason: string): void {
    const previous = this.status;
    if (next === previous) return;
    this.status = next;
    const fields = { peer: this.peer.id, addr: `${this.peer.host}:${this.peer.port}`, previous, reason };
    if (next === "connected") {
      this.cfg.logger.info(
        fields,
        previous === "connecting" ? "raft peer connected" : "raft peer reconnected",
      );
    } else if (next === "unreachable") {
      if (previous === "connected") this.cfg.logger.warn(fields, "raft peer unreachable");
      else this.cfg.logger.info(fields, "raft peer not reachable yet");
    }
    this.cfg.onStatus(this.peer.id, next, previous);
  }
}
