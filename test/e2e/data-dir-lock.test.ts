import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { TestCluster } from "../support/cluster.ts";
import { waitFor } from "../support/poll.ts";
import { createTopic } from "./clients/support/admin.ts";
import { kafkajsProduce, kafkajsRead } from "./clients/support/kafkajs.ts";
import { checkDelivery, messages } from "./clients/support/records.ts";

// One data dir, one process: a real `chronik node` started on a dir another one holds.
const bin = join(import.meta.dirname, "../../data-node/bin/chronik.js");

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

// A second `chronik node` on the node's config file; resolves with its exit code and output.
async function runSecondNode(configFile: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [bin, "node", "--config", configFile], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LOG_LEVEL: "info" },
  });
  let output = "";
  child.stdout.on("data", (b) => {
    output += b;
  });
  child.stderr.on("data", (b) => {
    output += b;
  });
  let code: number | null | undefined;
  child.once("exit", (c) => {
    code = c;
  });
  try {
    await waitFor("the second node process to exit", () => code !== undefined, { timeoutMs: 20_000 });
  } finally {
    child.kill("SIGKILL");
  }
  return { code: code ?? null, output };
}

describe("data dir lock", () => {
  test("a second node on the same data dir exits non-zero naming the holder; the first keeps serving and restarts after a crash", async () => {
    cluster = new TestCluster({ nodes: 1, kafkaBase: 27092, httpBase: 27181 });
    const first = cluster.start(1);
    await cluster.waitReady(1);
    const topic = "data-dir-lock";
    await createTopic(cluster.bootstrap, topic, 1, 1);
    const sent = messages("lock", 0, 20);
    await kafkajsProduce(cluster.bootstrap, topic, sent);

    const second = await runSecondNode(first.configFile);
    expect(second.code).not.toBe(0);
    expect(second.output).toContain(`is locked by another process: pid ${first.process!.pid}`);
    expect(second.output).toContain(join(first.dataDir, "LOCK"));
    // It failed before binding anything or touching the holder's files.
    expect(second.output).not.toMatch(/listen/);
    expect(JSON.parse(readFileSync(join(first.dataDir, "LOCK"), "utf8")).pid).toBe(first.process!.pid);

    expect((await cluster.readiness(1))?.status).toBe(200);
    const read = await kafkajsRead(cluster.bootstrap, topic, sent.length, "data-dir-lock-1");
    expect(checkDelivery(read, sent).problems).toEqual([]);

    // The kernel drops a SIGKILLed holder's lock: the same dir starts again at once.
    await cluster.kill(1);
    const restarted = cluster.start(1);
    await cluster.waitReady(1, 30_000);
    expect(cluster.log(1)).not.toContain("is locked by another process");
    expect(JSON.parse(readFileSync(join(first.dataDir, "LOCK"), "utf8")).pid).toBe(restarted.process!.pid);
    const reread = await kafkajsRead(cluster.bootstrap, topic, sent.length, "data-dir-lock-2");
    expect(checkDelivery(reread, sent).problems).toEqual([]);
  });
});
