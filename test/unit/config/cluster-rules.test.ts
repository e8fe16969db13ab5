import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkConfigFiles } from "../../../shared/config/load.ts";
import { clusterConfig } from "./helpers.ts";

const fixtures = join(import.meta.dirname, "fixtures");
const repoConfig = join(import.meta.dirname, "../../../config");

function writeAll(texts: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "chronik-config-"));
  return texts.map((t, i) => {
    const file = join(dir, `node${i + 1}.toml`);
    writeFileSync(file, t);
    return file;
  });
}

const errors = (files: string[]) =>
  checkConfigFiles(files).flatMap((r) => r.issues.filter((i) => i.severity === "error"));

describe("the project's own config files", () => {
  test("the three cluster files pass together", () => {
    const files = [1, 2, 3].map((n) => join(repoConfig, `node${n}-cluster.toml`));
    expect(checkConfigFiles(files).flatMap((r) => r.issues)).toEqual([]);
  });

  test("single-node.toml passes alone", () => {
    expect(checkConfigFiles([join(repoConfig, "single-node.toml")])[0].issues).toEqual([]);
  });
});

describe("the seed's broken files", () => {
  const seed = (n: number) => join(fixtures, `seed-broken-node${n}.toml`);

  test("node 2's Kafka address colliding with node 1's Raft address is an error naming both entries", () => {
    const [result] = checkConfigFiles([seed(1)]);
    const e = result.issues.find((i) => i.severity === "error" && i.path === "peers[1].addr");
    expect(e?.message).toContain("peers[1] (id 2) Kafka address localhost:9192");
    expect(e?.message).toContain("peers[0] (id 1) Raft address localhost:9192");
    expect(e?.fix).toContain("localhost:9093");
  });

  test("node 2's own file is also wrong about itself", () => {
    const [result] = checkConfigFiles([seed(2)]);
    expect(
      result.issues.some(
        (i) => i.severity === "error" && i.path === "peers[1].addr" && i.message.includes("[kafka] listen"),
      ),
    ).toBe(true);
  });

  test("node 3's entry is an error when checked together with node 3's own file", () => {
    const correctNode3 = writeAll([clusterConfig(3)])[0];
    const issues = errors([seed(1), correctNode3]);
    const e = issues.find(
      (i) => i.file === seed(1) && i.path === "peers[2].addr" && i.message.includes("own file"),
    );
    expect(e?.message).toContain('addr = "localhost:9292"');
    expect(e?.message).toContain("serves Kafka on port 9094");
    expect(
      issues.some(
        (i) => i.file === seed(1) && i.path === "peers[2].raft_port" && i.message.includes("port 9194"),
      ),
    ).toBe(true);
  });

  test("checked all together, every file is rejected", () => {
    const results = checkConfigFiles([seed(1), seed(2), seed(3)]);
    for (const r of results) expect(r.issues.some((i) => i.severity === "error")).toBe(true);
  });
});

describe("several files of one cluster", () => {
  test("different cluster ids are reported", () => {
    const files = writeAll([clusterConfig(1), clusterConfig(2, (d) => (d.cluster_id = "other"))]);
    expect(errors(files)).toEqual([expect.objectContaining({ file: files[1], path: "cluster_id" })]);
  });

  test("the same node id twice is reported", () => {
    const files = writeAll([clusterConfig(1), clusterConfig(1)]);
    expect(errors(files)).toContainEqual(expect.objectContaining({ file: files[1], path: "node_id" }));
  });

  test("differing peer sets report every difference", () => {
    const files = writeAll([
      clusterConfig(1),
      clusterConfig(2, (d) => {
        d.peers[2].raft_port = 9300;
        d.peers.push({ id: 4, addr: "127.0.0.1:9095", raft_port: 9195 });
      }),
      clusterConfig(3, (d) => d.peers.splice(0, 1)),
    ]);
    const found = errors(files).map(
      (e) => `${e.file === files[1] ? "f2" : e.file === files[2] ? "f3" : "f1"} ${e.path}`,
    );
    // f2's peer 3 differs from f1's list and from node 3's own file: both are reported.
    expect(found.sort()).toEqual([
      "f2 peers[2].raft_port",
      "f2 peers[2].raft_port",
      "f2 peers[3]",
      "f3 peers",
    ]);
  });

  test("an unreadable file is an error, not a crash", () => {
    const [r] = checkConfigFiles(["/nonexistent/chronik.toml"]);
    expect(r.issues[0]).toMatchObject({ severity: "error", path: "(file)" });
  });
});
