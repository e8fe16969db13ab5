import { type HostPort, parseHostPort } from "./address.ts";
import type { NodeConfig, PeerConfig } from "./schema.ts";

// Every address a config names, labelled with the key that names it, so a collision can point at
// both entries.
export interface Endpoint extends HostPort {
  path: string;
  label: string;
  kind: "kafka" | "raft" | "http";
  peerIndex?: number;
}

export function peerKafka(peer: PeerConfig): HostPort {
  return parseHostPort(peer.addr)!;
}

export function peerRaft(peer: PeerConfig): HostPort {
  return { host: peerKafka(peer).host, port: peer.raft_port };
}

export function peerEndpoints(config: NodeConfig): Endpoint[] {
  return config.peers.flatMap((peer, i) => [
    {
      ...peerKafka(peer),
      path: `peers[${i}].addr`,
      label: `peers[${i}] (id ${peer.id}) Kafka address`,
      kind: "kafka" as const,
      peerIndex: i,
    },
    {
      ...peerRaft(peer),
      path: `peers[${i}].raft_port`,
      label: `peers[${i}] (id ${peer.id}) Raft address`,
      kind: "raft" as const,
      peerIndex: i,
    },
  ]);
}

export function listenerEndpoints(config: NodeConfig): Endpoint[] {
  return (["kafka", "raft", "http"] as const).map((kind) => ({
    ...parseHostPort(config[kind].listen)!,
    path: `${kind}.listen`,
    label: `[${kind}] listen`,
    kind,
  }));
}

// The address clients are told to use. A wildcard listen host is advertised as 127.0.0.1.
export function advertisedKafka(config: NodeConfig): HostPort {
  if (config.kafka.advertised) return parseHostPort(config.kafka.advertised)!;
  const listen = parseHostPort(config.kafka.listen)!;
  const wildcard = listen.host === "0.0.0.0" || listen.host === "::" || listen.host === "[::]";
  return { host: wildcard ? "127.0.0.1" : listen.host, port: listen.port };
}

export function listenPort(config: NodeConfig, kind: "kafka" | "raft" | "http"): number {
  return parseHostPort(config[kind].listen)!.port;
}
