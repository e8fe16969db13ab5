import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  claimDataDir,
  type DataDirClaim,
  DataDirIdentityError,
  DataDirLockedError,
  DataDirMismatchError,
  IDENTITY_FILE,
  LOCK_FILE,
} from "../../../data-node/src/storage/data-dir.ts";
import { waitFor } from "../../support/poll.ts";
import { tmpDir } from "./tmp.ts";

const modulePath = path.join(import.meta.dirname, "../../../data-node/src/storage/data-dir.ts");
const repoRoot = path.join(import.meta.dirname, "../../..");
const node1 = { clusterId: "c1", nodeId: 1 };

const claims: DataDirClaim[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  await Promise.all(claims.splice(0).map((c) => c.release()));
});

async function claim(dir: string, who = node1): Promise<DataDirClaim> {
  const c = await claimDataDir(dir, who);
  claims.push(c);
  return c;
}

function readLock(dir: string): { pid: number; node_id: number } {
  return JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8"));
}

// Another process claiming `dir`: it prints "claimed" and stays alive holding the lock, or prints
// the error and exits 1.
function claimInChild(dir: string): {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
} {
  const script = `
    const { claimDataDir } = await import(process.env.DATA_DIR_MODULE);
    try {
      await claimDataDir(process.env.CLAIM_DIR, { clusterId: "c1", nodeId: 1 });
      console.log("claimed");
      setInterval(() => {}, 60_000);
    } catch (err) {
      console.log(err.name + ": " + err.message);
      process.exitCode = 1;
    }`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR_MODULE: modulePath, CLAIM_DIR: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout.on("data", (b) => {
    out += b;
  });
  child.stderr.on("data", (b) => {
    out += b;
  });
  const exit = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => out, exit };
}

describe("claimDataDir", () => {
  test("creates the dir; a second claim fails naming the holder; after release the dir can be claimed again", async () => {
    const dir = tmpDir();
    const first = await claim(dir);
    expect(first.previousIncarnationId).toBeUndefined();
    expect(readLock(dir)).toMatchObject({ pid: process.pid, node_id: 1 });

    const second = await claimDataDir(dir, node1).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(DataDirLockedError);
    const message = (second as Error).message;
    expect(message).toContain(`pid ${process.pid}`);
    expect(message).toContain(path.join(dir, LOCK_FILE));
    // The failed claim left the holder's LOCK alone.
    expect(readLock(dir).pid).toBe(process.pid);

    await first.release();
    await first.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    await claim(dir);
  });

  test("a recorded incarnation is the next claim's previous incarnation, written without temporaries", async () => {
    const dir = tmpDir();
    const first = await claim(dir);
    await first.recordIncarnation("inc-a");
    await first.recordIncarnation("inc-b");
    await first.release();
    await expect(first.recordIncarnation("inc-c")).rejects.toThrow(/released/);

    const second = await claim(dir);
    expect(second.previousIncarnationId).toBe("inc-b");
    expect(JSON.parse(fs.readFileSync(path.join(dir, IDENTITY_FILE), "utf8"))).toMatchObject({
      cluster_id: "c1",
      node_id: 1,
      incarnation_id: "inc-b",
    });
    expect(fs.readdirSync(dir).sort()).toEqual([IDENTITY_FILE, LOCK_FILE].sort());
  });

  test("a dir with data but no identity file is accepted", async () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, "__meta"), { recursive: true });
    fs.writeFileSync(path.join(dir, "__meta", "raft-state"), "x");
    expect((await claim(dir)).previousIncarnationId).toBeUndefined();
  });

  test.each([
    ["node id", { clusterId: "c1", nodeId: 2 }, /cluster_id "c1" node_id 1.*cluster_id "c1" node_id 2/],
    ["cluster id", { clusterId: "c2", nodeId: 1 }, /cluster_id "c1" node_id 1.*cluster_id "c2" node_id 1/],
  ])("a dir recorded for another %s is refused, naming both and the fix", async (_, who, values) => {
    const dir = tmpDir();
    const first = await claim(dir);
    await first.recordIncarnation("inc-a");
    await first.release();

    const err = await claimDataDir(dir, who).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirMismatchError);
    expect((err as Error).message).toMatch(values);
    expect((err as Error).message).toContain(path.join(dir, IDENTITY_FILE));
    expect((err as Error).message).toMatch(/fix: point data_dir/);
    // The refused claim released the lock.
    expect((await claim(dir)).previousIncarnationId).toBe("inc-a");
  });

  test.each([
    ["not JSON", "{not json", /not JSON/],
    ["JSON of the wrong shape", JSON.stringify({ cluster_id: "c1", node_id: "one" }), /node_id/],
  ])("an identity file that is %s is a clear error naming the file", async (_, text, reason) => {
    const dir = tmpDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, IDENTITY_FILE), text);
    const err = await claimDataDir(dir, node1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirIdentityError);
    expect((err as Error).message).toContain(`${path.join(dir, IDENTITY_FILE)} is not a valid identity file`);
    expect((err as Error).message).toMatch(reason);
  });
});

describe("the lock across processes", () => {
  test("a lock held by a process that is SIGKILLed is free afterwards", async () => {
    const dir = tmpDir();
    const holder = claimInChild(dir);
    await waitFor(`the child to claim ${dir}`, () => holder.output().includes("claimed") || undefined, {
      timeoutMs: 20_000,
    });
    const refused = await claimDataDir(dir, node1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(`pid ${holder.child.pid}`);

    holder.child.kill("SIGKILL");
    await holder.exit;
    // Its LOCK file is left behind, stale; it does not block the claim and is replaced.
    expect(readLock(dir).pid).toBe(holder.child.pid);
    await claim(dir);
    expect(readLock(dir).pid).toBe(process.pid);
  });

  test("another process cannot claim a dir this process holds", async () => {
    const dir = tmpDir();
    await claim(dir);
    const other = claimInChild(dir);
    expect(await other.exit).toBe(1);
    expect(other.output()).toContain("DataDirLockedError");
    expect(other.output()).toContain(`pid ${process.pid}`);
    expect(readLock(dir).pid).toBe(process.pid);
  });
});
