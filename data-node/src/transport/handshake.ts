import type { HelloMsg, HelloReplyMsg } from "./proto.ts";
import type { PeerAddress } from "./types.ts";

// Both ends check identity on every connection: a stream or forward reaches the node the caller's config
// names, in the same cluster, speaking the same protocol version — or nothing flows at all.

export const PROTOCOL_VERSION = 1;

export interface Identity {
  clusterId: string;
  nodeId: number;
}

// Server side: why a caller's hello is refused, or undefined when it is accepted.
export function refuseHello(
  self: Identity,
  isPeer: (id: number) => boolean,
  hello: HelloMsg,
): string | undefined {
  if (hello.protocolVersion !== PROTOCOL_VERSION) {
    return `protocol version ${hello.protocolVersion} is not supported (this node speaks ${PROTOCOL_VERSION})`;
  }
  if (hello.clusterId !== self.clusterId) {
    return `caller is in cluster ${JSON.stringify(hello.clusterId)}, this node is in ${JSON.stringify(self.clusterId)}`;
  }
  if (hello.toNode !== self.nodeId) {
    return `caller expected node ${hello.toNode}, this is node ${self.nodeId}`;
  }
  if (!isPeer(hello.fromNode)) return `node ${hello.fromNode} is not in this node's peer list`;
  return undefined;
}

export function helloReply(self: Identity, refusal: string | undefined): HelloReplyMsg {
  return {
    clusterId: self.clusterId,
    nodeId: self.nodeId,
    protocolVersion: PROTOCOL_VERSION,
    accepted: refusal === undefined,
    reason: refusal ?? "",
  };
}

// Client side: the error to log when a peer's reply shows the wrong identity or a refusal, naming the
// config entry that points at it; undefined when the handshake succeeded.
export function refuseReply(peer: PeerAddress, clusterId: string, reply: HelloReplyMsg): string | undefined {
  const at = `${peer.source} at ${peer.host}:${peer.port}`;
  if (reply.nodeId !== peer.id || reply.clusterId !== clusterId) {
    return `${at} answered as node ${reply.nodeId} of cluster ${JSON.stringify(reply.clusterId)}: check addr/raft_port`;
  }
  if (reply.protocolVersion !== PROTOCOL_VERSION) {
    return `${at} speaks transport protocol ${reply.protocolVersion}, this node speaks ${PROTOCOL_VERSION}`;
  }
  if (!reply.accepted) return `${at} refused this node: ${reply.reason}`;
  return undefined;
}
