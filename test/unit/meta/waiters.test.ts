import { describe, expect, it } from "vitest";
import { IndexWaiter } from "../../../data-node/src/meta/index-waiter.ts";
import { LeaderWatch } from "../../../data-node/src/meta/leader-watch.ts";

describe("IndexWaiter", () => {
  it("resolves waiters once the applied index reaches theirs", async () => {
    const w = new IndexWaiter();
    const done: number[] = [];
    const a = w.waitFor(3).then(() => done.push(3));
    const b = w.waitFor(5).then(() => done.push(5));
    w.advance(4);
    await a;
    expect(done).toEqual([3]);
    w.advance(2); // never goes back
    expect(w.current).toBe(4);
    w.advance(5);
    await b;
    expect(done).toEqual([3, 5]);
    await expect(w.waitFor(1)).resolves.toBeUndefined();
  });

  it("rejects an aborted wait", async () => {
    const w = new IndexWaiter();
    const c = new AbortController();
    const p = w.waitFor(10, c.signal);
    c.abort();
    await expect(p).rejects.toThrow(/aborted/);
  });
});

describe("LeaderWatch", () => {
  it("treats 0 as no leader and wakes waiters only on a change", async () => {
    const l = new LeaderWatch();
    let woke = 0;
    const first = l.waitForChange().then(() => woke++);
    l.set(0);
    await Promise.resolve();
    expect(woke).toBe(0);
    expect(l.get()).toBeUndefined();
    l.set(2);
    await first;
    expect(woke).toBe(1);
    expect(l.get()).toBe(2);
  });
});
