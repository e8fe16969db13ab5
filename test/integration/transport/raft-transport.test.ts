import http2 from "node:http2";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RaftTransport } from "../../../data-node/src/transport/raft-transport.ts";
import { TransportError } from "../../../data-node/src/transport/types.ts";
import { silentLogger } from "../../../shared/log.ts";
import { addressOf, allConnected, LEVEL, meshPeers, startNode, type TestNode, waitFor } from "./helpers.ts";

const started: TestNode[] = [];
async function node(...args: Parameters<typeof startNode>): Promise<TestNode> {
  const n = await startNode(...args);
  started.push(n);
  return n;
}

async function cluster(): Promise<TestNode[]> {
  const nodes = [await node(1), await node(2), await node(3)];
  meshPeers(nodes);
  await waitFor(() => allConnected(nodes), "all peers connected");
  return nodes;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((n) => n.transport.stop()));
});

const bytes = (s: string) => new TextEncoder().encode(s);

describe("RaftTransport over gRPC on loopback", () => {
  it("delivers many groups' payloads all-to-all", async () => {
    const nodes = await cluster();
    const groups = Array.from({ length: 300 }, (_, i) => `topic-${i % 30}/${i}`);
    for (const from of nodes) {
      for (const to of nodes) {
        if (to === from) continue;
        for (const g of groups) from.transport.send(to.id, g, bytes(`${from.id}->${to.id}:${g}`));
      }
      from.transport.flush();
    }
    for (const n of nodes) {
      await waitFor(() => n.received.length === 2 * groups.length, `node ${n.id} to receive all`);
      for (const r of n.received) expect(r.payload.toString()).toBe(`${r.from}->${n.id}:${r.group}`);
      expect(new Set(n.received.map((r) => `${r.from}|${r.group}`)).size).toBe(2 * groups.length);
    }
  });

  it("writes one stream message per peer per flush, however many groups were sent to", async () => {
    const [a, b, c] = await cluster();
    const before = a.transport.metrics().peers;
    for (let i = 0; i < 500; i++) {
      a.transport.send(b.id, `g${i}`, bytes(`b${i}`));
      a.transport.send(c.id, `g${i}`, bytes(`c${i}`));
    }
    a.transport.flush();
    await waitFor(() => b.received.length === 500 && c.received.length === 500, "both peers to receive 500");
    const after = a.transport.metrics().peers;
    for (const peer of [b, c]) {
      expect(after.get(peer.id)!.batchesSent - before.get(peer.id)!.batchesSent).toBe(1);
      expect(after.get(peer.id)!.messagesSent - before.get(peer.id)!.messagesSent).toBe(500);
      expect(peer.batches).toEqual([{ from: a.id, size: 500 }]);
      expect(peer.transport.metrics().peers.get(a.id)!.batchesReceived).toBe(1);
      expect(peer.transport.metrics().peers.get(a.id)!.messagesReceived).toBe(500);
    }
  });

  it("preserves order per peer pair across many flushes", async () => {
    const [a, b] = await cluster();
    const total = 5000;
    for (let i = 0; i < total; i++) {
      a.transport.send(b.id, `g${i % 17}`, bytes(String(i)));
      if (i % 97 === 0) a.transport.flush();
    }
    a.transport.flush();
    await waitFor(() => b.received.length === total, "all ordered messages");
    expect(b.received.map((r) => Number(r.payload.toString()))).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
  });

  it("splits a flush beyond maxBatchBytes into several stream messages, still in order", async () => {
    const a = await node(1, { maxBatchBytes: 4096 });
    const b = await node(2);
    meshPeers([a, b]);
    await waitFor(() => allConnected([a, b]), "connected");
    for (let i = 0; i < 1000; i++) a.transport.send(b.id, `g${i % 7}`, bytes(`${i}`.padStart(100, ".")));
    a.transport.flush();
    await waitFor(() => b.received.length === 1000, "all split messages");
    expect(b.received.map((r) => Number(r.payload.toString().replace(/\./g, "")))).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
    const sent = a.transport.metrics().peers.get(b.id)!.batchesSent;
    expect(sent).toBeGreaterThan(1000 / 40);
    expect(b.batches).toHaveLength(sent);
  });

  it("stops taking a caller's stream once it is removed from the peer list", async () => {
    const [a, b] = [await node(1), await node(2)];
    meshPeers([a, b]);
    await waitFor(() => allConnected([a, b]), "connected");
    b.transport.setPeers([]);
    a.transport.send(b.id, "g", bytes("x"));
    a.transport.flush();
    await waitFor(() => a.transport.peerStatus().get(b.id) === "refused", "a to be refused by b");
    expect(a.records.filter((r) => r.level === LEVEL.error).map((r) => r.msg)).toEqual([
      `test peers (id 2) at 127.0.0.1:${b.port} refused this node: node 1 is not in this node's peer list`,
    ]);
    expect(b.received).toEqual([]);
  });

  it("rejects sends to peer 0, to itself and to unknown ids, logging each cause once", async () => {
    const [a] = await cluster();
    for (let i = 0; i < 3; i++) {
      expect(a.transport.send(0, "__meta", bytes("x"))).toBe(false);
      expect(a.transport.send(a.id, "__meta", bytes("x"))).toBe(false);
      expect(a.transport.send(42, "__meta", bytes("x"))).toBe(false);
    }
    expect(a.transport.metrics().invalidSends).toBe(9);
    const errors = a.records.filter((r) => r.level === LEVEL.error).map((r) => r.msg);
    expect(errors).toEqual([
      "raft send rejected: addressed peer 0: no leader is known",
      "raft send rejected: addressed this node itself (1)",
      "raft send rejected: peer 42 is not in the configured peer list",
    ]);
    await expect(a.transport.forward(0, "__meta", "register", bytes("x"), 1000)).rejects.toMatchObject({
      code: "invalid_peer",
    });
  });

  it("forwards a proposal to a peer and returns its answer; times out with a typed error", async () => {
    const never = new Promise<Uint8Array>(() => {});
    const a = await node(1);
    const b = await node(2, {
      onForward: async (from, group, kind, payload) =>
        kind === "hang" ? never : bytes(`${kind}@${group} from ${from}: ${Buffer.from(payload).toString()}`),
    });
    meshPeers([a, b]);
    await waitFor(() => allConnected([a, b]), "connected");
    const reply = await a.transport.forward(b.id, "__meta", "register_broker", bytes("broker 1"), 5000);
    expect(Buffer.from(reply).toString()).toBe("register_broker@__meta from 1: broker 1");

    const err = await a.transport.forward(b.id, "__meta", "hang", bytes(""), 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("timeout");

    // A node without a forward handler answers with a typed remote error rather than hanging.
    const remote = await b.transport.forward(a.id, "__meta", "x", bytes(""), 5000).catch((e: unknown) => e);
    expect((remote as TransportError).code).toBe("remote");
  });

  it("reconnects to a restarted peer and resumes delivery; logs the outage once", async () => {
    const [a, b, c] = await cluster();
    const port = b.port;
    await b.transport.stop();
    started.splice(started.indexOf(b), 1);
    await waitFor(() => a.transport.peerStatus().get(b.id) === "unreachable", "a to see b unreachable");
    const retriesAtOutage = a.retries();
    // Messages queued while b is down are kept (bounded) and sent after the reconnect.
    a.transport.send(b.id, "g", bytes("while-down"));
    a.transport.flush();
    await waitFor(() => a.retries() >= retriesAtOutage + 3, "a to retry a few times");

    const b2 = await node(2, { port });
    b2.transport.setPeers([addressOf(a), addressOf(c)]);
    await waitFor(() => a.transport.peerStatus().get(b.id) === "connected", "a to reconnect to b");
    a.transport.send(b.id, "g", bytes("after-restart"));
    a.transport.flush();
    await waitFor(() => b2.received.length === 2, "b2 to receive both");
    expect(b2.received.map((r) => r.payload.toString())).toEqual(["while-down", "after-restart"]);
    expect(a.transport.metrics().peers.get(b.id)!.reconnects).toBe(1);

    const aboutB = a.records.filter((r) => r.peer === b.id && r.level >= LEVEL.warn);
    expect(aboutB.map((r) => r.msg)).toEqual(["raft peer unreachable"]);
    expect(a.records.filter((r) => r.peer === b.id && r.msg === "raft peer reconnected")).toHaveLength(1);
  });

  it("fails start with a typed error naming the address when the port is taken", async () => {
    const a = await node(1);
    const clash = new RaftTransport({
      nodeId: 2,
      clusterId: "local",
      listen: { host: "127.0.0.1", port: a.port },
      peers: [],
      logger: silentLogger,
      onMessages: () => {},
    });
    await expect(clash.start()).rejects.toMatchObject({
      code: "listen_failed",
      message: expect.stringContaining(`127.0.0.1:${a.port}`),
    });
    await clash.stop();
  });

  it("drops the oldest queued messages for an unreachable peer and counts them", async () => {
    const a = await node(1, { maxQueueMessages: 10 });
    a.transport.setPeers([{ id: 2, host: "127.0.0.1", port: 1, source: "test peers[0] (id 2)" }]);
    for (let i = 0; i < 25; i++) a.transport.send(2, "g", bytes(String(i)));
    a.transport.flush();
    const m = a.transport.metrics().peers.get(2)!;
    expect(m.dropped).toBe(15);
    expect(m.queued).toBe(10);
    // Coalescible messages (heartbeats) replace their queued predecessor instead of filling the queue.
    for (let i = 0; i < 25; i++) a.transport.send(2, "h", bytes(String(i)), "heartbeat");
    const m2 = a.transport.metrics().peers.get(2)!;
    expect(m2.coalesced).toBe(24);
    expect(m2.dropped).toBe(16);
    await waitFor(() => a.transport.peerStatus().get(2) === "unreachable", "peer 2 unreachable");
  });

  it("refuses a peer entry whose port points at another node, naming the entry once", async () => {
    const [n1, n2, n3] = [await node(1), await node(2), await node(3)];
    n1.transport.setPeers([addressOf(n2), addressOf(n3)]);
    n3.transport.setPeers([addressOf(n1), addressOf(n2)]);
    // Node 2's entry for node 1 carries node 3's port (the seed incident's mistake).
    const wrong = {
      id: 1,
      host: "127.0.0.1",
      port: n3.port,
      source: "config/node2-cluster.toml peers[0] (id 1)",
    };
    const statuses: string[] = [];
    n2.transport.onStatus((peer, status) => peer === 1 && statuses.push(status));
    n2.transport.setPeers([wrong, addressOf(n3)]);
    await waitFor(() => n2.transport.peerStatus().get(1) === "refused", "node 2 to refuse its peer 1");
    const retries = n2.retries();
    await waitFor(() => n2.retries() >= retries + 3, "a few more handshake attempts");

    const errors = n2.records.filter((r) => r.level === LEVEL.error);
    expect(errors.map((r) => r.msg)).toEqual([
      `config/node2-cluster.toml peers[0] (id 1) at 127.0.0.1:${n3.port} answered as node 3 of cluster "local": check addr/raft_port`,
    ]);
    expect(statuses).toEqual(["refused"]);
    // Nothing sent to the misdirected entry reaches node 3.
    n2.transport.send(1, "g", bytes("for node 1"));
    n2.transport.flush();
    await expect(n2.transport.forward(1, "__meta", "register", bytes(""), 1000)).rejects.toMatchObject({
      code: "refused",
    });
    // Node 3's server refused too, since the caller expected node 1.
    expect(
      n3.records.some((r) => r.level === LEVEL.warn && /expected node 1, this is node 3/.test(r.msg)),
    ).toBe(true);
    expect(n3.received).toEqual([]);
    expect(n2.transport.peerStatus().get(3)).toBe("connected");
  });

  it("refuses a peer of another cluster, and a caller not in the peer list", async () => {
    const n1 = await node(1);
    const n2 = await node(2);
    const other = await node(3, { clusterId: "other" });
    n1.transport.setPeers([addressOf(n2), addressOf(other)]);
    n2.transport.setPeers([addressOf(n1)]);
    other.transport.setPeers([addressOf(n2)]);
    await waitFor(
      () => n1.transport.peerStatus().get(3) === "refused",
      "n1 to refuse the other cluster's node",
    );
    expect(n1.records.filter((r) => r.level === LEVEL.error).map((r) => r.msg)).toEqual([
      `test peers (id 3) at 127.0.0.1:${other.port} answered as node 3 of cluster "other": check addr/raft_port`,
    ]);
    await waitFor(() => other.transport.peerStatus().get(2) === "refused", "other to be refused by n2");
    expect(other.records.filter((r) => r.level === LEVEL.error).map((r) => r.msg)).toEqual([
      `test peers (id 2) at 127.0.0.1:${n2.port} answered as node 2 of cluster "local": check addr/raft_port`,
    ]);

    // Same cluster, but node 4 is not in node 2's peer list: node 2 refuses and says why.
    const n4 = await node(4);
    n4.transport.setPeers([addressOf(n2)]);
    await waitFor(() => n4.transport.peerStatus().get(2) === "refused", "n2 to refuse node 4");
    expect(n4.records.filter((r) => r.level === LEVEL.error).map((r) => r.msg)).toEqual([
      `test peers (id 2) at 127.0.0.1:${n2.port} refused this node: node 4 is not in this node's peer list`,
    ]);
    await waitFor(() => n1.transport.peerStatus().get(2) === "connected", "n1 to reach n2");
  });

  it("detects a half-dead link by keepalive and reconnects once the path is back", async () => {
    // Only the caller's keepalive is short here, so it is what must notice the dead link.
    const b = await node(2, { keepalive: { timeMs: 60_000, timeoutMs: 60_000 } });
    // A TCP relay whose existing connections can be silenced without closing them, as a dead route does.
    const live = new Set<net.Socket>();
    const silenced = new WeakSet<net.Socket>();
    const relay = net.createServer((down) => {
      const up = net.connect(b.port, "127.0.0.1");
      live.add(down);
      down.on("data", (d) => silenced.has(down) || up.write(d));
      up.on("data", (d) => silenced.has(down) || down.write(d));
      const close = () => {
        live.delete(down);
        down.destroy();
        up.destroy();
      };
      down.on("error", close).on("close", close);
      up.on("error", close).on("close", close);
    });
    await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
    try {
      const relayPort = (relay.address() as net.AddressInfo).port;
      const a = await node(1, { keepalive: { timeMs: 200, timeoutMs: 300 } });
      a.transport.setPeers([{ id: 2, host: "127.0.0.1", port: relayPort, source: "test peers[0] (id 2)" }]);
      b.transport.setPeers([addressOf(a)]);
      await waitFor(() => a.transport.peerStatus().get(2) === "connected", "a connected through the relay");

      for (const s of live) silenced.add(s);
      await waitFor(
        () => a.transport.peerStatus().get(2) === "unreachable",
        "keepalive to drop the dead link",
      );
      await waitFor(
        () => a.transport.peerStatus().get(2) === "connected",
        "a to reconnect over a new connection",
      );
      a.transport.send(2, "g", bytes("after"));
      a.transport.flush();
      await waitFor(
        () => b.received.some((r) => r.payload.toString() === "after"),
        "delivery after reconnect",
      );
    } finally {
      for (const s of live) s.destroy();
      await new Promise((r) => relay.close(r));
    }
  });
});

describe("Raft server HTTP/2 flow control", () => {
  // Replication flows from client to server on each stream; with HTTP/2's default 64 KiB windows a
  // sender could have only 64 KiB in flight per round trip.
  it("grants senders a connection and stream window far above the 64 KiB default", async () => {
    const server = await node(1);
    const session = http2.connect(`http://127.0.0.1:${server.port}`);
    try {
      await new Promise<void>((resolve, reject) => {
        session.once("remoteSettings", () => resolve());
        session.once("error", reject);
      });
      expect(session.remoteSettings.initialWindowSize).toBeGreaterThanOrEqual(8 * 1024 * 1024);
      await waitFor(
        () => (session.state.remoteWindowSize ?? 0) >= 8 * 1024 * 1024,
        "the server's connection window update",
      );
    } finally {
      session.destroy();
    }
  });
});
