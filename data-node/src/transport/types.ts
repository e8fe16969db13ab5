// Public types of the Raft transport.

export interface PeerAddress {
  id: number;
  host: string;
  port: number;
  // Where this entry came from, named in errors, e.g. "config/node1-cluster.toml peers[1] (id 2)".
  source: string;
}

export interface GroupPayload {
  group: string;
  payload: Uint8Array;
}

// A payload given as byte ranges to be sent back to back; they are copied once, into the frame.
export interface ChunkedPayload {
  readonly byteLength: number;
  readonly chunks: readonly Uint8Array[];
}

export interface OutgoingPayload {
  group: string;
  payload: Uint8Array | ChunkedPayload;
}

export type PeerStatus = "connected" | "connecting" | "unreachable" | "refused";

export type TransportErrorCode =
  | "invalid_peer" // peer id 0, self, or not configured
  | "invalid_payload" // group name or payload too large
  | "invalid_config" // bad peer list or options
  | "listen_failed" // the Raft listener could not bind
  | "refused" // the peer failed the handshake (wrong node, wrong cluster, version)
  | "unreachable" // no connection to the peer
  | "timeout" // forward deadline passed
  | "remote" // the peer's handler failed
  | "stopped"; // the transport is stopped

export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    readonly peer?: number,
  ) {
    super(message);
  }
}

export interface PeerMetrics {
  messagesSent: number;
  bytesSent: number; // payload bytes
  batchesSent: number; // stream messages written
  messagesReceived: number;
  bytesReceived: number;
  batchesReceived: number;
  dropped: number; // queued messages dropped (oldest first) because the queue was full
  coalesced: number; // queued messages replaced by a newer one with the same coalesce key
  reconnects: number; // successful handshakes after the first
  queued: number; // messages waiting in the queue now
}

export interface TransportMetrics {
  peers: Map<number, PeerMetrics>;
  invalidSends: number;
}

export type StatusListener = (peer: number, status: PeerStatus, previous: PeerStatus) => void;
