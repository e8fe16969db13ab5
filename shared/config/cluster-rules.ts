import { formatHostPort } from "./address.ts";
import { advertisedKafka, listenPort, peerKafka } from "./endpoints.ts";
import type { ConfigIssue } from "./issues.ts";
import type { NodeConfig } from "./schema.ts";

export interface LoadedFile {
  file: string;
  config: NodeConfig;
}

// Rules across the files of one cluster: they must describe the same cluster, and what each file
// says about a peer must agree with that peer's own file. Every difference is reported.
export function checkCluster(files: LoadedFile[]): ConfigIssue[] {
  if (files.length < 2) return [];
  return [...clusterIds(files), ...nodeIds(files), ...peerSets(files), ...peersMatchOwnFiles(files)];
}

function clusterIds(files: LoadedFile[]): ConfigIssue[] {
  const [first, ...rest] = files;
  return rest
    .filter((f) => f.config.cluster_id !== first.config.cluster_id)
    .map((f) => ({
      severity: "error" as const,
      file: f.file,
      path: "cluster_id",
      message: `cluster_id = "${f.config.cluster_id}" but ${first.file} has "${first.config.cluster_id}"`,
      fix: "use one cluster_id in every node's file",
    }));
}

function nodeIds(files: LoadedFile[]): ConfigIssue[] {
  const seen = new Map<number, string>();
  const issues: ConfigIssue[] = [];
  for (const f of files) {
    const other = seen.get(f.config.node_id);
    if (other) {
      issues.push({
        severity: "error",
        file: f.file,
        path: "node_id",
        message: `node_id = ${f.config.node_id} is also the node_id of ${other}`,
        fix: "each node's file needs its own node_id",
      });
    } else {
      seen.set(f.config.node_id, f.file);
    }
  }
  return issues;
}

function peerSets(files: LoadedFile[]): ConfigIssue[] {
  const [first, ...rest] = files;
  const issues: ConfigIssue[] = [];
  const byId = (c: NodeConfig) => new Map(c.peers.map((p, i) => [p.id, { p, i }]));
  const reference = byId(first.config);
  for (const f of rest) {
    const mine = byId(f.config);
    for (const [id, { p, i }] of mine) {
      const ref = reference.get(id);
      if (!ref) {
        issues.push({
          severity: "error",
          file: f.file,
          path: `peers[${i}]`,
          message: `peer id ${id} is not a peer in ${first.file}`,
          fix: "list the same [[peers]] in every node's file",
        });
        continue;
      }
      for (const key of ["addr", "raft_port"] as const) {
        if (p[key] === ref.p[key]) continue;
        issues.push({
          severity: "error",
          file: f.file,
          path: `peers[${i}].${key}`,
          message: `peer id ${id} has ${key} = ${JSON.stringify(p[key])} but ${first.file} peers[${ref.i}] has ${JSON.stringify(ref.p[key])}`,
          fix: "list the same [[peers]] in every node's file",
        });
      }
    }
    for (const [id, { i }] of reference) {
      if (mine.has(id)) continue;
      issues.push({
        severity: "error",
        file: f.file,
        path: "peers",
        message: `peer id ${id} (${first.file} peers[${i}]) is missing`,
        fix: "list the same [[peers]] in every node's file",
      });
    }
  }
  return issues;
}

// A peer entry must point where that node's own file says it listens (the seed's node 3 pointed at
// port 9292 while node 3 listened on 9094).
function peersMatchOwnFiles(files: LoadedFile[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const owner of files) {
    const id = owner.config.node_id;
    const kafkaPort = advertisedKafka(owner.config).port;
    const raftPort = listenPort(owner.config, "raft");
    for (const f of files) {
      const i = f.config.peers.findIndex((p) => p.id === id);
      if (i < 0 || f === owner) continue;
      const peer = f.config.peers[i];
      if (peerKafka(peer).port !== kafkaPort) {
        issues.push({
          severity: "error",
          file: f.file,
          path: `peers[${i}].addr`,
          message: `peers[${i}] (id ${id}) addr = "${peer.addr}", but node ${id}'s own file ${owner.file} serves Kafka on port ${kafkaPort}`,
          fix: `point peers[${i}].addr at ${formatHostPort({ host: peerKafka(peer).host, port: kafkaPort })}`,
        });
      }
      if (peer.raft_port !== raftPort) {
        issues.push({
          severity: "error",
          file: f.file,
          path: `peers[${i}].raft_port`,
          message: `peers[${i}] (id ${id}) raft_port = ${peer.raft_port}, but node ${id}'s own file ${owner.file} listens for Raft on port ${raftPort}`,
          fix: `set peers[${i}].raft_port = ${raftPort}`,
        });
      }
    }
  }
  return issues;
}
