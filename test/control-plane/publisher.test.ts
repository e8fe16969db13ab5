import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  backoffDelay,
  type MirrorPublisher,
  startMirrorPublisher,
} from "../../data-node/src/mirror/publisher.ts";
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyMirrorPush,
} from "../../shared/registry/mirror-signature.ts";
import type { RegistrySnapshot } from "../../shared/registry/snapshot.ts";
import { healthySnapshot } from "../unit/health/snapshot-fixture.ts";

const SECRET = "publisher-test-secret";

// A stand-in control plane on a real socket: checks each push's signature and records it.
class Receiver {
  pushes: RegistrySnapshot[] = [];
  rejected = 0;
  // When set, responses wait for it: the push stays in flight on the publisher's side.
  hold: Promise<void> | undefined;
  server: ServerType | undefined;
  port = 0;

  async listen(port = 0): Promise<void> {
    const app = new Hono();
    app.post("/v1/mirror", async (c) => {
      const body = await c.req.text();
      const check = await verifyMirrorPush({
        secret: SECRET,
        body,
        timestamp: c.req.header(TIMESTAMP_HEADER),
        signature: c.req.header(SIGNATURE_HEADER),
        now: Date.now(),
      });
      if (!check.ok) {
        this.rejected++;
        return c.json({ error: check.reason }, 401);
      }
      this.pushes.push(JSON.parse(body) as RegistrySnapshot);
      await this.hold;
      return c.json({ applied: true });
    });
    await new Promise<void>((resolve, reject) => {
      this.server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => resolve());
      this.server.once("error", reject);
    });
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

function captureLogs() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("mirror publisher", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(opts: { intervalMs?: number; debounceMs?: number; snapshot?: RegistrySnapshot } = {}) {
    const receiver = new Receiver();
    await receiver.listen();
    cleanups.push(() => receiver.close());
    const state = { snapshot: opts.snapshot as RegistrySnapshot | undefined };
    const logs = captureLogs();
    const publisher = startMirrorPublisher({
      url: receiver.url,
      clusterId: "test-cluster",
      secret: SECRET,
      getSnapshot: () => state.snapshot,
      intervalMs: opts.intervalMs ?? 60_000,
      debounceMs: opts.debounceMs ?? 20,
      logger: logs.logger,
      backoff: { initialMs: 10, maxMs: 80 },
    });
    cleanups.push(() => publisher.stop());
    return { receiver, state, publisher, logs };
  }

  it("pushes at once on start, signed so the receiver accepts it", async () => {
    const { receiver } = await setup({ snapshot: healthySnapshot() });
    await until(() => receiver.pushes.length === 1, "the first push");
    expect(receiver.pushes[0].version).toEqual({ term: 3, applied_index: 120 });
    expect(receiver.rejected).toBe(0);
  });

  it("coalesces a burst of changes into one push of the latest snapshot", async () => {
    const { receiver, state, publisher } = await setup({ snapshot: healthySnapshot() });
    await until(() => receiver.pushes.length === 1, "the first push");
    for (let i = 1; i <= 10; i++) {
      state.snapshot = healthySnapshot({ version: { term: 3, applied_index: 120 + i } });
      publisher.notifyChange();
    }
    await until(() => receiver.pushes.length === 2, "the debounced push");
    await publisher.stop();
    expect(receiver.pushes.map((p) => p.version.applied_index)).toEqual([120, 130]);
  });

  it("pushes again after a change that arrives while a push is in flight", async () => {
    let release = () => {};
    const { receiver, state, publisher } = await setup({ snapshot: healthySnapshot() });
    receiver.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    await until(() => receiver.pushes.length === 1, "the first push to arrive");
    state.snapshot = healthySnapshot({ version: { term: 3, applied_index: 121 } });
    publisher.notifyChange();
    release();
    await until(() => receiver.pushes.length === 2, "the push of the change");
    expect(receiver.pushes[1].version.applied_index).toBe(121);
  });

  it("pushes every interval without changes", async () => {
    const { receiver } = await setup({ snapshot: healthySnapshot(), intervalMs: 30 });
    await until(() => receiver.pushes.length >= 4, "periodic pushes");
    expect(receiver.rejected).toBe(0);
  });

  it("waits for a snapshot before pushing anything", async () => {
    const { receiver, state, publisher } = await setup({ snapshot: undefined, intervalMs: 20 });
    state.snapshot = healthySnapshot({ version: { term: 5, applied_index: 1 } });
    publisher.notifyChange();
    await until(() => receiver.pushes.length >= 1, "a push once a snapshot exists");
    expect(receiver.pushes[0].version).toEqual({ term: 5, applied_index: 1 });
  });

  it("backs off while the control plane is down, logs the outage once, and recovers", async () => {
    const { receiver, state, publisher, logs } = await setup({
      snapshot: healthySnapshot(),
      intervalMs: 60_000,
    });
    await until(() => receiver.pushes.length === 1, "the first push");
    const port = receiver.port;
    await receiver.close();

    let attempts = 0;
    const countingFetch: typeof fetch = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    await publisher.stop();
    const retrying = startMirrorPublisher({
      url: `http://127.0.0.1:${port}`,
      clusterId: "test-cluster",
      secret: SECRET,
      getSnapshot: () => state.snapshot,
      intervalMs: 60_000,
      debounceMs: 20,
      logger: logs.logger,
      fetch: countingFetch,
      backoff: { initialMs: 10, maxMs: 80 },
    });
    cleanups.push(() => retrying.stop());
    await until(() => attempts >= 4, "several failed attempts");
    // Changes during the outage do not cut the backoff short; the retry carries the latest snapshot.
    state.snapshot = healthySnapshot({ version: { term: 3, applied_index: 200 } });
    retrying.notifyChange();

    await receiver.listen(port);
    await until(() => receiver.pushes.length >= 2, "a push after recovery");
    expect(receiver.pushes.at(-1)?.version.applied_index).toBe(200);
    await until(() => logs.lines.some((l) => l.msg === "mirror push recovered"), "the recovery log");
    // This publisher never reached the control plane before the outage: it was most likely still
    // starting, which is worth one info line, not a warning.
    const failing = logs.lines.filter((l) => l.msg.startsWith("waiting for the control plane"));
    expect(failing).toHaveLength(1);
    expect(failing[0].level).toBe(30);
    expect(logs.lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it("treats a refused push (bad secret) as a failure to back off from", async () => {
    const receiver = new Receiver();
    await receiver.listen();
    cleanups.push(() => receiver.close());
    const logs = captureLogs();
    const p: MirrorPublisher = startMirrorPublisher({
      url: `${receiver.url}/`,
      clusterId: "test-cluster",
      secret: "the-wrong-secret",
      getSnapshot: () => healthySnapshot(),
      logger: logs.logger,
      backoff: { initialMs: 10, maxMs: 40 },
    });
    cleanups.push(() => p.stop());
    await until(() => receiver.rejected >= 3, "retries of the refused push");
    expect(receiver.pushes).toHaveLength(0);
    expect(logs.lines.filter((l) => l.msg.startsWith("mirror push failing"))).toHaveLength(1);
  });
});

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap, within ±20% jitter", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, { initialMs: 250, maxMs: 10_000 }, mid))).toEqual(
      [250, 500, 1000, 2000, 4000, 8000, 10_000],
    );
    expect(backoffDelay(1, { initialMs: 100 }, () => 0)).toBe(80);
    expect(backoffDelay(1, { initialMs: 100 }, () => 1)).toBe(120);
    expect(backoffDelay(1000, {}, mid)).toBe(30_000);
  });
});
