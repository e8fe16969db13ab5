import { join } from "node:path";
import { afterEach, expect, test, vi } from "vitest";
import { main } from "../../../data-node/src/cli/main.ts";

const root = join(import.meta.dirname, "../../..");
const out: string[] = [];

function capture() {
  vi.spyOn(console, "log").mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, "error").mockImplementation((s: string) => void out.push(s));
}

afterEach(() => {
  vi.restoreAllMocks();
  out.length = 0;
});

test("chronik config check passes the cluster files", async () => {
  capture();
  const files = [1, 2, 3].map((n) => join(root, `config/node${n}-cluster.toml`));
  expect(await main(["config", "check", ...files])).toBe(0);
  expect(out.filter((l) => l.endsWith("ok (0 error(s), 0 warning(s))"))).toHaveLength(3);
});

test("chronik config check rejects the seed's files with exit code 1 and names the entries", async () => {
  capture();
  const file = join(root, "test/unit/config/fixtures/seed-broken-node1.toml");
  expect(await main(["config", "check", file])).toBe(1);
  expect(out.join("\n")).toContain(
    "peers[1].addr: peers[1] (id 2) Kafka address localhost:9192 is the same endpoint as peers[0] (id 1) Raft address",
  );
});

test("unknown commands and missing arguments are usage errors", async () => {
  capture();
  expect(await main(["frobnicate"])).toBe(2);
  expect(await main(["config", "check"])).toBe(2);
  expect(await main(["node"])).toBe(2);
  expect(await main(["--help"])).toBe(0);
  expect(out.join("\n")).toContain("usage: chronik <command>");
});

test("every subcommand answers --help", async () => {
  capture();
  for (const cmd of ["node", "dev"]) expect(await main([cmd, "--help"])).toBe(0);
  expect(out.join("\n")).toContain("usage: chronik node --config FILE");
  expect(out.join("\n")).toContain("usage: chronik dev");
});

test("chronik node refuses an invalid config before starting anything", async () => {
  capture();
  const file = join(root, "test/unit/config/fixtures/seed-broken-node2.toml");
  expect(await main(["node", "--config", file])).toBe(1);
  expect(out.join("\n")).toContain("seed-broken-node2.toml: error: peers[1].addr");
});
