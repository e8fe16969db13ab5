import { formatHostPort, sameHost } from "./address.ts";
import { type Endpoint, listenerEndpoints, listenPort, peerEndpoints, peerKafka } from "./endpoints.ts";
import type { ConfigIssue } from "./issues.ts";
import type { NodeConfig } from "./schema.ts";

// Rules over one node's file. Each catches a class of the seed incident before anything starts.
export function checkNode(config: NodeConfig): ConfigIssue[] {
  return [
    ...duplicatePeerIds(config),
    ...ownEntryMissing(config),
    ...collidingEndpoints(config),
    ...ownEntryDisagrees(config),
    ...raftPortConvention(config),
  ];
}

function duplicatePeerIds(config: NodeConfig): ConfigIssue[] {
  const firstIndex = new Map<number, number>();
  const issues: ConfigIssue[] = [];
  config.peers.forEach((peer, i) => {
    const first = firstIndex.get(peer.id);
    if (first === undefined) {
      firstIndex.set(peer.id, i);
      return;
    }
    issues.push({
      severity: "error",
      path: `peers[${i}].id`,
      message: `peers[${first}] and peers[${i}] both have id ${peer.id}`,
      fix: "give every [[peers]] entry the node_id of a different node",
    });
  });
  return issues;
}

function ownEntryMissing(config: NodeConfig): ConfigIssue[] {
  if (config.peers.some((p) => p.id === config.node_id)) return [];
  const ids = config.peers.map((p) => p.id).join(", ");
  return [
    {
      severity: "error",
      path: "node_id",
      message: `node_id = ${config.node_id} has no [[peers]] entry (peer ids: ${ids})`,
      fix: `add a [[peers]] entry with id = ${config.node_id} and this node's Kafka address and Raft port, or correct node_id`,
    },
  ];
}

function describe(e: Endpoint): string {
  return `${e.label} ${formatHostPort(e)}`;
}

function collidingEndpoints(config: NodeConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (all: Endpoint[]) => {
    for (let i = 0; i < all.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = all[j];
        const b = all[i];
        if (a.port !== b.port || !sameHost(a.host, b.host)) continue;
        issues.push(collision(config, a, b));
      }
    }
  };
  check(peerEndpoints(config));
  check(listenerEndpoints(config));
  return issues;
}

function collision(config: NodeConfig, a: Endpoint, b: Endpoint): ConfigIssue {
  // The seed's bug: a peer's Kafka address that is really another peer's Raft endpoint.
  const [kafka, raft] =
    a.kind === "kafka" && b.kind === "raft" ? [a, b] : b.kind === "kafka" && a.kind === "raft" ? [b, a] : [];
  if (kafka && raft && kafka.peerIndex !== undefined) {
    const peer = config.peers[kafka.peerIndex];
    const guess = { host: peerKafka(peer).host, port: peer.raft_port - 100 };
    return {
      severity: "error",
      path: kafka.path,
      message: `${describe(kafka)} is the same endpoint as ${describe(raft)}`,
      fix: `set ${kafka.path} to node ${peer.id}'s Kafka listener (by the Kafka + 100 convention: "${formatHostPort(guess)}")`,
    };
  }
  return {
    severity: "error",
    path: b.path,
    message: `${describe(b)} is the same endpoint as ${describe(a)}`,
    fix: "every Kafka, Raft and HTTP endpoint on one host needs its own port",
  };
}

function ownEntryDisagrees(config: NodeConfig): ConfigIssue[] {
  const i = config.peers.findIndex((p) => p.id === config.node_id);
  if (i < 0) return [];
  const own = config.peers[i];
  const issues: ConfigIssue[] = [];
  const kafkaPort = listenPort(config, "kafka");
  if (peerKafka(own).port !== kafkaPort) {
    issues.push({
      severity: "error",
      path: `peers[${i}].addr`,
      message: `this node's own entry (id ${own.id}) says Kafka port ${peerKafka(own).port}, but [kafka] listen = "${config.kafka.listen}"`,
      fix: `make peers[${i}].addr use port ${kafkaPort}, or change [kafka] listen to match it`,
    });
  }
  const raftPort = listenPort(config, "raft");
  if (own.raft_port !== raftPort) {
    issues.push({
      severity: "error",
      path: `peers[${i}].raft_port`,
      message: `this node's own entry (id ${own.id}) says raft_port = ${own.raft_port}, but [raft] listen = "${config.raft.listen}"`,
      fix: `set peers[${i}].raft_port = ${raftPort}, or change [raft] listen to match it`,
    });
  }
  return issues;
}

function raftPortConvention(config: NodeConfig): ConfigIssue[] {
  return config.peers.flatMap((peer, i): ConfigIssue[] => {
    const expected = peerKafka(peer).port + 100;
    if (peer.raft_port === expected) return [];
    return [
      {
        severity: "warning",
        path: `peers[${i}].raft_port`,
        message: `peers[${i}] (id ${peer.id}) has raft_port = ${peer.raft_port}, not its Kafka port + 100 (${expected})`,
        fix: `allowed, but check it: the convention is raft_port = ${expected} for addr "${peer.addr}"`,
      },
    ];
  });
}
