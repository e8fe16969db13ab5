import { describe, expect, it } from "vitest";
import type { HandlerTable } from "../../../data-node/src/kafka/handler-types.ts";
import { gateHandlers } from "../../../data-node/src/kafka/serving-gate.ts";
import { ImageCurrency } from "../../../data-node/src/meta/image-currency.ts";
import { silentLogger } from "../../../shared/log.ts";

// A currency driven by hand: flags for the readiness conditions and a settable clock.
function currencyOf() {
  const s = { registered: false, caughtUp: false, unfenced: false, leader: false, now: 1_000 };
  const c = new ImageCurrency({
    registered: () => s.registered,
    caughtUp: () => s.caughtUp,
    unfenced: () => s.unfenced,
    isMetaLeader: () => s.leader,
    sessionTimeoutMs: 6_000,
    now: () => s.now,
  });
  return { s, c };
}

describe("ImageCurrency", () => {
  it("is current only once registered, caught up, unfenced and in touch with the __meta leader", () => {
    const { s, c } = currencyOf();
    expect(c.staleReason()).toMatch(/not registered/);
    s.registered = true;
    expect(c.staleReason()).toMatch(/not caught up/);
    s.caughtUp = true;
    expect(c.staleReason()).toMatch(/fenced/);
    s.unfenced = true;
    expect(c.staleReason()).toMatch(/no answer from the __meta leader/);
    c.noteLeaderContact();
    expect(c.isCurrent()).toBe(true);
    // A short loss of the leader (an election) keeps it current; a session's worth does not.
    s.now += 6_000;
    expect(c.isCurrent()).toBe(true);
    s.now += 1;
    expect(c.staleReason()).toMatch(/no answer from the __meta leader/);
    // Leading __meta is being in touch with it.
    s.leader = true;
    expect(c.isCurrent()).toBe(true);
  });

  it("wakes waiters when an input change makes it current, and not before", async () => {
    const { s, c } = currencyOf();
    let woke = false;
    const waiting = c.whenCurrent().then(() => {
      woke = true;
    });
    s.registered = true;
    s.caughtUp = true;
    c.changed();
    await Promise.resolve();
    expect(woke).toBe(false);
    s.unfenced = true;
    c.noteLeaderContact();
    await waiting;
    expect(woke).toBe(true);
  });
});

describe("gateHandlers", () => {
  const table = (): HandlerTable => ({
    3: () => ({ api: "metadata" }) as never,
    18: () => ({ api: "apiversions" }) as never,
  });
  const call = (t: HandlerTable, key: 3 | 18) => (t[key] as (r: unknown, c: unknown) => unknown)({}, {});

  it("calls handlers directly while the image is current, with no promise in between", () => {
    const { s, c } = currencyOf();
    Object.assign(s, { registered: true, caughtUp: true, unfenced: true, leader: true });
    const gated = gateHandlers(table(), c, { holdMs: 1000, logger: silentLogger });
    expect(call(gated, 3)).toEqual({ api: "metadata" });
  });

  it("holds requests until the image is current; ApiVersions is never held", async () => {
    const { s, c } = currencyOf();
    const gated = gateHandlers(table(), c, { holdMs: 60_000, logger: silentLogger });
    expect(call(gated, 18)).toEqual({ api: "apiversions" });
    let answered: unknown;
    const pending = (call(gated, 3) as Promise<unknown>).then((r) => {
      answered = r;
    });
    await new Promise((r) => setImmediate(r));
    expect(answered).toBeUndefined();
    Object.assign(s, { registered: true, caughtUp: true, unfenced: true, leader: true });
    c.changed();
    await pending;
    expect(answered).toEqual({ api: "metadata" });
  });

  it("answers from the stale view once the hold runs out", async () => {
    const { c } = currencyOf();
    const gated = gateHandlers(table(), c, { holdMs: 20, logger: silentLogger });
    await expect(call(gated, 3)).resolves.toEqual({ api: "metadata" });
    expect(c.isCurrent()).toBe(false);
  });
});
