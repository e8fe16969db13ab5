import { describe, expect, it } from "vitest";
import { NODE_READINESS_CONDITIONS, Readiness } from "../../../data-node/src/meta/readiness.ts";
import { captureLogger, INFO } from "./log-capture.ts";

describe("Readiness", () => {
  it("reports what it waits for, logs each change, and resolves waiters once all hold", async () => {
    const { logger, lines } = captureLogger();
    const r = new Readiness(NODE_READINESS_CONDITIONS, logger);
    expect(r.status()).toEqual({ ready: false, waiting_for: [...NODE_READINESS_CONDITIONS] });
    let ready = false;
    const waiting = r.whenReady().then(() => {
      ready = true;
    });
    r.set("meta_leader_known", true);
    r.set("meta_leader_known", true); // no change, no log line
    r.set("registered", true);
    r.set("metadata_caught_up", true);
    r.set("unfenced", true);
    expect(r.status()).toEqual({ ready: false, waiting_for: ["kafka_listener_bound"] });
    await Promise.resolve();
    expect(ready).toBe(false);
    r.set("kafka_listener_bound", true);
    await waiting;
    expect(r.status()).toEqual({ ready: true, waiting_for: [] });
    r.set("unfenced", false);
    expect(r.status()).toEqual({ ready: false, waiting_for: ["unfenced"] });

    const info = lines.filter((l) => l.level === INFO);
    expect(info.map((l) => l.condition)).toEqual([...NODE_READINESS_CONDITIONS, "unfenced"]);
    expect(info[0].waiting_for).toEqual([
      "registered",
      "metadata_caught_up",
      "unfenced",
      "kafka_listener_bound",
    ]);
    expect(info[4].msg).toBe("ready");
    expect(info[5].msg).toBe("readiness lost: unfenced");
  });

  it("rejects unknown conditions and aborted waits", async () => {
    const { logger } = captureLogger();
    const r = new Readiness(["a"], logger);
    expect(() => r.set("b", true)).toThrow(/unknown readiness condition/);
    const c = new AbortController();
    const w = r.whenReady(c.signal);
    c.abort();
    await expect(w).rejects.toThrow(/aborted/);
    r.set("a", true);
    await expect(r.whenReady()).resolves.toBeUndefined();
  });
});
