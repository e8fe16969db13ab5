import type * as http2 from "node:http2";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../../../shared/log.ts";
import { type BackoffPolicy, DEFAULT_BACKOFF } from "./backoff.ts";
import { MAX_GROUP_BYTES } from "./envelope.ts";
import type { Identity } from "./handshake.ts";
import { PeerLink, type RaftClient } from "./peer-link.ts";
import { loadRaftService } from "./proto.ts";
import { raftServiceImpl } from "./server.ts";
import {
  type ChunkedPayload,
  type GroupPayload,
  type PeerAddress,
  type PeerMetrics,
  type PeerStatus,
  type StatusListener,
  TransportError,
  type TransportMetrics,
} from "./types.ts";

export interface KeepalivePolicy {
  // Ping an idle connection this often, and drop it when a ping is not answered within timeoutMs.
  timeMs: number;
  timeoutMs: number;
}

export interface RaftTransportOptions {
  nodeId: number;
  clusterId: string;
  listen: { host: string; port: number };
  peers: PeerAddress[];
  logger: Logger;
  onMessages: (from: number, batch: GroupPayload[]) => void;
  onForward?: (from: number, group: string, kind: string, payload: Uint8Array) => Promise<Uint8Array>;
  onStatus?: StatusListener;
  // Largest envelope written as one stream message; a flush that holds more is split.
  maxBatchBytes?: number;
  // Per-peer queue bounds while a peer is disconnected or slow; the oldest messages are dropped first.
  maxQueueMessages?: number;
  maxQueueBytes?: number;
  backoff?: Partial<BackoffPolicy>;
  keepalive?: Partial<KeepalivePolicy>;
  handshakeTimeoutMs?: number;
  random?: () => number;
}

export const DEFAULT_KEEPALIVE: KeepalivePolicy = { timeMs: 10_000, timeoutMs: 5_000 };
// Hard limit on one gRPC message; the Raft core chunks snapshots far below this.
const MAX_FRAME_BYTES = 128 * 1024 * 1024;
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

interface ReceivedCounters {
  messagesReceived: number;
  bytesReceived: number;
  batchesReceived: number;
}

// HTTP/2 flow control: a receiver lets a sender have only its window's worth of unacknowledged data in
// flight, 64 KiB by default for the connection and for each stream. Replication streams run one way,
// client to server, so the Raft server's windows bound replication to about 64 KiB per round trip
// between two event loops (~50-80 MB/s on a loaded machine, measured). grpc-js has options for the
// client's windows only, so the server's are set on the http2 server it creates at bind time.
const RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024;

type ServerInternals = {
  commonServerOptions?: http2.ServerOptions;
  http2Servers?: Map<http2.Http2Server, unknown>;
};

// Before bind: the stream window, a setting of the http2 server grpc-js creates when it binds.
function widenStreamWindow(server: grpc.Server): void {
  const options = (server as unknown as ServerInternals).commonServerOptions;
  if (options) options.settings = { ...options.settings, initialWindowSize: RECEIVE_WINDOW_BYTES };
}

// After bind: the connection window, set on each session the bound http2 servers accept.
function widenConnectionWindows(server: grpc.Server): void {
  for (const s of (server as unknown as ServerInternals).http2Servers?.keys() ?? [])
    s.on("session", (session: http2.ServerHttp2Session) => session.setLocalWindowSize(RECEIVE_WINDOW_BYTES));
}

// Node-to-node transport for every Raft group on this node: one outbound bidi stream per peer carries
// opaque payloads tagged by group, batched per flush; forward() carries a proposal to a group leader.
export class RaftTransport {
  private readonly self: Identity;
  private readonly service = loadRaftService();
  private readonly links = new Map<number, PeerLink>();
  private readonly received = new Map<number, ReceivedCounters>();
  private readonly listeners = new Set<StatusListener>();
  private readonly reportedInvalid = new Set<string>();
  private readonly backoff: BackoffPolicy;
  private readonly keepalive: KeepalivePolicy;
  private server: grpc.Server | undefined;
  private started = false;
  private stopped = false;
  private invalidSends = 0;

  constructor(private readonly opts: RaftTransportOptions) {
    if (!Number.isInteger(opts.nodeId) || opts.nodeId <= 0) {
      throw new TransportError("invalid_config", `node id must be a positive integer, got ${opts.nodeId}`);
    }
    if (opts.clusterId === "") throw new TransportError("invalid_config", "cluster id must not be empty");
    this.self = { clusterId: opts.clusterId, nodeId: opts.nodeId };
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.keepalive = { ...DEFAULT_KEEPALIVE, ...opts.keepalive };
    if (opts.onStatus) this.listeners.add(opts.onStatus);
    this.setPeers(opts.peers);
  }

  async start(): Promise<{ port: number }> {
    if (this.started) throw new TransportError("invalid_config", "transport already started");
    this.started = true;
    const server = new grpc.Server({
      "grpc.keepalive_time_ms": this.keepalive.timeMs,
      "grpc.keepalive_timeout_ms": this.keepalive.timeoutMs,
      "grpc.keepalive_permit_without_calls": 1,
      // Servers that enforce ping policy (grpc-go, C core) must allow our clients' idle pings.
      "grpc.http2.min_ping_interval_without_data_ms": Math.floor(this.keepalive.timeMs / 2),
      "grpc.max_receive_message_length": MAX_FRAME_BYTES,
    });
    widenStreamWindow(server);
    server.addService(
      this.service.definition,
      raftServiceImpl({
        self: this.self,
        logger: this.opts.logger,
        isPeer: (id) => this.links.has(id),
        onBatch: (from, items, bytes) => this.deliver(from, items, bytes),
        onForward: this.opts.onForward,
        onPeerHello: (from) => this.links.get(from)?.retryNow(),
      }),
    );
    const { host, port } = this.opts.listen;
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${bracket(host)}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err
          ? reject(
              new TransportError(
                "listen_failed",
                `cannot listen for Raft on ${host}:${port}: ${err.message}`,
              ),
            )
          : resolve(p),
      ),
    );
    widenConnectionWindows(server);
    this.server = server;
    this.opts.logger.info({ host, port: bound, node: this.self.nodeId }, "raft transport listening");
    for (const link of this.links.values()) link.open();
    return { port: bound };
  }

  // Replaces the peer list. Links to unchanged peers are kept; changed or removed ones are closed.
  setPeers(peers: readonly PeerAddress[]): void {
    const next = new Map<number, PeerAddress>();
    for (const p of peers) {
      if (!Number.isInteger(p.id) || p.id <= 0) {
        throw new TransportError(
          "invalid_config",
          `${p.source}: peer id must be a positive integer, got ${p.id}`,
        );
      }
      if (p.id === this.self.nodeId) {
        throw new TransportError("invalid_config", `${p.source}: peer id ${p.id} is this node's own id`);
      }
      if (next.has(p.id))
        throw new TransportError("invalid_config", `${p.source}: peer id ${p.id} is listed twice`);
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
        throw new TransportError("invalid_config", `${p.source}: port ${p.port} is out of range`);
      }
      next.set(p.id, p);
    }
    for (const [id, link] of this.links) {
      const p = next.get(id);
      if (p && p.host === link.peer.host && p.port === link.peer.port) continue;
      link.close();
      this.links.delete(id);
    }
    for (const [id, p] of next) {
      if (this.links.has(id)) continue;
      const link = this.newLink(p);
      this.links.set(id, link);
      if (this.started && !this.stopped) link.open();
    }
  }

  // Queues a payload for a peer; never throws. Returns false (and logs once per cause) when the target
  // cannot be addressed: peer 0 (no known leader), this node itself, or an unconfigured id.
  // coalesceKey marks a message that a later one with the same group and key supersedes while both are
  // still queued: a peer that is down or slow then gets only the latest. Meant for heartbeats, but the
  // runtime does not pass keys yet, so today every message is queued.
  send(to: number, group: string, payload: Uint8Array | ChunkedPayload, coalesceKey?: string): boolean {
    const link = this.links.get(to);
    if (!link || this.stopped) {
      this.rejectSend(this.invalidTarget(to));
      return false;
    }
    if ((group.length * 3 > MAX_GROUP_BYTES && Buffer.byteLength(group) > MAX_GROUP_BYTES) || group === "") {
      this.rejectSend(
        new TransportError("invalid_payload", `group name must be 1..${MAX_GROUP_BYTES} bytes`, to),
      );
      return false;
    }
    if (payload.byteLength > MAX_PAYLOAD_BYTES) {
      this.rejectSend(
        new TransportError(
          "invalid_payload",
          `payload of ${payload.byteLength} bytes for group ${group} is too large`,
          to,
        ),
      );
      return false;
    }
    link.queue.push({ group, payload }, coalesceKey);
    return true;
  }

  // Writes everything queued, one stream message per peer (split only beyond maxBatchBytes).
  flush(): void {
    for (const link of this.links.values()) link.flush();
  }

  forward(
    to: number,
    group: string,
    kind: string,
    payload: Uint8Array,
    timeoutMs: number,
  ): Promise<Uint8Array> {
    const link = this.links.get(to);
    if (!link || this.stopped) return Promise.reject(this.invalidTarget(to));
    if (link.status === "refused") {
      return Promise.reject(
        new TransportError("refused", link.refusal ?? `peer ${to} refused the handshake`, to),
      );
    }
    const where = `${link.peer.source} at ${link.peer.host}:${link.peer.port}`;
    return new Promise((resolve, reject) => {
      link.client.Forward(
        { hello: link.hello(), group, kind, payload },
        { deadline: Date.now() + timeoutMs },
        (err, reply) => {
          if (!err) {
            resolve(reply?.payload ?? new Uint8Array(0));
            return;
          }
          reject(
            new TransportError(
              forwardErrorCode(err.code),
              `forward ${kind} for ${group} to ${where}: ${err.details}`,
              to,
            ),
          );
        },
      );
    });
  }

  peerStatus(): Map<number, PeerStatus> {
    return new Map([...this.links].map(([id, link]) => [id, link.status]));
  }

  // Subscribes to peer status changes; returns the unsubscribe function.
  onStatus(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  metrics(): TransportMetrics {
    const peers = new Map<number, PeerMetrics>();
    const ids = new Set([...this.links.keys(), ...this.received.keys()]);
    for (const id of ids) {
      const link = this.links.get(id);
      const rx = this.received.get(id) ?? { messagesReceived: 0, bytesReceived: 0, batchesReceived: 0 };
      peers.set(id, {
        messagesSent: link?.metrics.messagesSent ?? 0,
        bytesSent: link?.metrics.bytesSent ?? 0,
        batchesSent: link?.metrics.batchesSent ?? 0,
        reconnects: link?.metrics.reconnects ?? 0,
        dropped: link?.queue.dropped ?? 0,
        coalesced: link?.queue.coalesced ?? 0,
        queued: link?.queue.length ?? 0,
        ...rx,
      });
    }
    return { peers, invalidSends: this.invalidSends };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const link of this.links.values()) link.close();
    // Raft tolerates loss, so open streams are cut rather than drained.
    this.server?.forceShutdown();
    this.opts.logger.info({ node: this.self.nodeId }, "raft transport stopped");
  }

  private newLink(peer: PeerAddress): PeerLink {
    const target = `${bracket(peer.host)}:${peer.port}`;
    const client = new this.service.Client(target, grpc.credentials.createInsecure(), {
      "grpc.keepalive_time_ms": this.keepalive.timeMs,
      "grpc.keepalive_timeout_ms": this.keepalive.timeoutMs,
      "grpc.keepalive_permit_without_calls": 1,
      "grpc.http2.max_pings_without_data": 0,
      "grpc.initial_reconnect_backoff_ms": this.backoff.baseMs,
      "grpc.max_reconnect_backoff_ms": this.backoff.maxMs,
      // Each transport owns its connections, even when several nodes share a process (tests, dev).
      "grpc.use_local_subchannel_pool": 1,
      "grpc.max_send_message_length": MAX_FRAME_BYTES,
      "grpc.max_receive_message_length": MAX_FRAME_BYTES,
    }) as unknown as RaftClient;
    return new PeerLink(peer, client, {
      self: this.self,
      logger: this.opts.logger,
      backoff: this.backoff,
      random: this.opts.random ?? Math.random,
      handshakeTimeoutMs: this.opts.handshakeTimeoutMs ?? 5000,
      maxBatchBytes: this.opts.maxBatchBytes ?? 1024 * 1024,
      maxQueueMessages: this.opts.maxQueueMessages ?? 100_000,
      maxQueueBytes: this.opts.maxQueueBytes ?? 64 * 1024 * 1024,
      onStatus: (id, status, previous) => {
        for (const l of this.listeners) l(id, status, previous);
      },
    });
  }

  private deliver(from: number, items: GroupPayload[], bytes: number): void {
    let rx = this.received.get(from);
    if (!rx) this.received.set(from, (rx = { messagesReceived: 0, bytesReceived: 0, batchesReceived: 0 }));
    rx.batchesReceived++;
    rx.messagesReceived += items.length;
    rx.bytesReceived += bytes;
    try {
      this.opts.onMessages(from, items);
    } catch (err) {
      this.opts.logger.error({ from, err }, "raft onMessages handler threw");
    }
  }

  private invalidTarget(to: number): TransportError {
    if (this.stopped) return new TransportError("stopped", "raft transport is stopped", to);
    if (to === 0) return new TransportError("invalid_peer", "addressed peer 0: no leader is known", to);
    if (to === this.self.nodeId)
      return new TransportError("invalid_peer", `addressed this node itself (${to})`, to);
    return new TransportError("invalid_peer", `peer ${to} is not in the configured peer list`, to);
  }

  private rejectSend(err: TransportError): void {
    this.invalidSends++;
    const key = `${err.code}|${err.peer}|${err.message}`;
    if (this.reportedInvalid.has(key) || this.reportedInvalid.size >= 1000) return;
    this.reportedInvalid.add(key);
    if (err.code === "stopped") this.opts.logger.info({ peer: err.peer }, err.message);
    else this.opts.logger.error({ peer: err.peer, code: err.code }, `raft send rejected: ${err.message}`);
  }
}

function forwardErrorCode(code: grpc.status): TransportError["code"] {
  switch (code) {
    case grpc.status.DEADLINE_EXCEEDED:
      return "timeout";
    case grpc.status.UNAVAILABLE:
      return "unreachable";
    case grpc.status.FAILED_PRECONDITION:
      return "refused";
    default:
      return "remote";
  }
}

function bracket(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
