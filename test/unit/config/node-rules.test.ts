import { describe, expect, test } from "vitest";
import { parseNodeConfig } from "../../../shared/config/load.ts";
import { clusterConfig, errorsOf, issuesOf } from "./helpers.ts";

describe("one node's file", () => {
  test("a correct three-node file has no issues", () => {
    expect(issuesOf(clusterConfig(2))).toEqual([]);
  });

  test("defaults fill every tunable", () => {
    const parsed = parseNodeConfig("n.toml", clusterConfig(1));
    expect(parsed.config?.raft.tick_ms).toBe(100);
    expect(parsed.config?.storage.fsync).toBe("always");
    expect(parsed.config?.broker.session_timeout_ms).toBe(6000);
    expect(parsed.config?.topic_defaults.retention_ms).toBe(7 * 24 * 3600 * 1000);
  });

  test("duplicate peer ids are an error naming both entries", () => {
    const errors = errorsOf(clusterConfig(1, (d) => (d.peers[2].id = 2)));
    expect(errors).toContainEqual(
      expect.objectContaining({ path: "peers[2].id", message: "peers[1] and peers[2] both have id 2" }),
    );
  });

  test("own node_id missing from peers", () => {
    const errors = errorsOf(clusterConfig(1, (d) => (d.node_id = 4)));
    expect(errors[0]).toMatchObject({ path: "node_id" });
    expect(errors[0].message).toContain("node_id = 4 has no [[peers]] entry (peer ids: 1, 2, 3)");
  });

  test("two peers' Kafka addresses on the same host and port collide", () => {
    const errors = errorsOf(clusterConfig(1, (d) => (d.peers[2].addr = "localhost:9093")));
    expect(
      errors.some((e) => e.path === "peers[2].addr" && e.message.includes("peers[1] (id 2) Kafka address")),
    ).toBe(true);
  });

  test("Raft ports colliding on one host are an error", () => {
    const errors = errorsOf(clusterConfig(1, (d) => (d.peers[2].raft_port = 9193)));
    expect(
      errors.some(
        (e) => e.path === "peers[2].raft_port" && e.message.includes("peers[1] (id 2) Raft address"),
      ),
    ).toBe(true);
  });

  test("the same port on different hosts does not collide", () => {
    const text = clusterConfig(1, (d) => {
      d.kafka.listen = "10.0.0.1:9092";
      d.raft.listen = "10.0.0.1:9192";
      d.peers = [1, 2, 3].map((p) => ({ id: p, addr: `10.0.0.${p}:9092`, raft_port: 9192 }));
    });
    expect(errorsOf(text)).toEqual([]);
  });

  test("a peer's Kafka address equal to another peer's Raft address names both and suggests the fix", () => {
    const errors = errorsOf(clusterConfig(1, (d) => (d.peers[1].addr = "localhost:9192")));
    const e = errors.find((i) => i.path === "peers[1].addr");
    expect(e?.message).toBe(
      "peers[1] (id 2) Kafka address localhost:9192 is the same endpoint as peers[0] (id 1) Raft address 127.0.0.1:9192",
    );
    expect(e?.fix).toContain('"localhost:9093"');
  });

  test("own entry disagreeing with [kafka] listen", () => {
    const errors = errorsOf(clusterConfig(3, (d) => (d.kafka.listen = "127.0.0.1:9095")));
    expect(errors).toContainEqual(expect.objectContaining({ path: "peers[2].addr" }));
    expect(errors.find((e) => e.path === "peers[2].addr")?.message).toContain("[kafka] listen");
  });

  test("own entry disagreeing with [raft] listen", () => {
    const errors = errorsOf(clusterConfig(3, (d) => (d.raft.listen = "127.0.0.1:9200")));
    expect(errors.find((e) => e.path === "peers[2].raft_port")?.message).toContain("[raft] listen");
  });

  test("own listeners sharing a port", () => {
    const errors = errorsOf(clusterConfig(1, (d) => (d.http.listen = "0.0.0.0:9092")));
    expect(errors.find((e) => e.path === "http.listen")?.message).toContain("[kafka] listen");
  });

  test("raft_port other than Kafka + 100 is a warning, not an error", () => {
    const text = clusterConfig(1, (d) => {
      d.peers[2].raft_port = 9300;
    });
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: "warning", path: "peers[2].raft_port" });
  });

  test("schema errors name the key", () => {
    expect(errorsOf(clusterConfig(1, (d) => (d.kafka.lisen = "x")))[0]).toMatchObject({
      path: "kafka.lisen",
      message: "unknown key",
    });
    expect(errorsOf(clusterConfig(1, (d) => delete d.raft))[0]).toMatchObject({ path: "raft" });
    expect(errorsOf(clusterConfig(1, (d) => (d.peers[0].addr = "nope")))[0]).toMatchObject({
      path: "peers[0].addr",
    });
    expect(errorsOf(clusterConfig(1, (d) => (d.node_id = 0)))[0]).toMatchObject({ path: "node_id" });
    expect(errorsOf(clusterConfig(1, (d) => (d.storage = { fsync: "sometimes" })))[0]).toMatchObject({
      path: "storage.fsync",
    });
  });

  test("TOML syntax errors give the position", () => {
    const [e] = errorsOf('node_id = 1\ncluster_id = "x\n');
    expect(e.path).toMatch(/^line 2, column \d+$/);
    expect(e.message).toMatch(/^not valid TOML/);
  });
});
