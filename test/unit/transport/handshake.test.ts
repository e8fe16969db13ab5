import { describe, expect, it } from "vitest";
import {
  helloReply,
  PROTOCOL_VERSION,
  refuseHello,
  refuseReply,
} from "../../../data-node/src/transport/handshake.ts";

const self = { clusterId: "local", nodeId: 3 };
const isPeer = (id: number) => id === 1 || id === 2;
const hello = { clusterId: "local", fromNode: 2, toNode: 3, protocolVersion: PROTOCOL_VERSION };
const peer1 = { id: 1, host: "127.0.0.1", port: 9193, source: "config/node2-cluster.toml peers[0] (id 1)" };

describe("handshake", () => {
  it("server accepts a configured peer of its cluster that expects this node", () => {
    expect(refuseHello(self, isPeer, hello)).toBeUndefined();
  });

  it("server refuses another cluster, another expected node, an unknown caller, another version", () => {
    expect(refuseHello(self, isPeer, { ...hello, clusterId: "prod" })).toMatch(/cluster "prod"/);
    expect(refuseHello(self, isPeer, { ...hello, toNode: 1 })).toMatch(/expected node 1, this is node 3/);
    expect(refuseHello(self, isPeer, { ...hello, fromNode: 7 })).toMatch(
      /node 7 is not in this node's peer list/,
    );
    expect(refuseHello(self, isPeer, { ...hello, protocolVersion: 99 })).toMatch(/protocol version 99/);
  });

  it("client names the config entry when a peer answers as another node", () => {
    const reply = helloReply({ clusterId: "local", nodeId: 2 }, "caller expected node 1, this is node 2");
    expect(refuseReply(peer1, "local", reply)).toBe(
      'config/node2-cluster.toml peers[0] (id 1) at 127.0.0.1:9193 answered as node 2 of cluster "local": check addr/raft_port',
    );
  });

  it("client refuses another cluster and relays the server's reason", () => {
    expect(refuseReply(peer1, "other", helloReply({ clusterId: "local", nodeId: 1 }, undefined))).toMatch(
      /answered as node 1 of cluster "local"/,
    );
    expect(
      refuseReply(peer1, "local", helloReply({ clusterId: "local", nodeId: 1 }, "node 2 is not in…")),
    ).toMatch(/peers\[0\] \(id 1\) at 127.0.0.1:9193 refused this node: node 2 is not in/);
    expect(
      refuseReply(peer1, "local", helloReply({ clusterId: "local", nodeId: 1 }, undefined)),
    ).toBeUndefined();
  });
});
