import { describe, expect, it } from "vitest";
import { ProposalWindow } from "../../../data-node/src/partition/proposal-window.ts";

describe("ProposalWindow", () => {
  it("admits at once while there is room, even a request larger than the window", async () => {
    const w = new ProposalWindow(100);
    expect(await w.acquire(500, 1000)).toBe(true);
    expect(w.inFlight).toBe(500);
  });

  it("queues when full and admits in arrival order as bytes are released", async () => {
    const w = new ProposalWindow(100);
    await w.acquire(100, 1000);
    const order: string[] = [];
    const a = w.acquire(60, 1000).then(() => order.push("a"));
    const b = w.acquire(10, 1000).then(() => order.push("b"));
    w.release(10);
    await a;
    expect(order).toEqual(["a"]);
    // The window is over full again; a newcomer queues behind b even once there is room.
    const c = w.acquire(1, 1000).then(() => order.push("c"));
    w.release(61);
    await Promise.all([b, c]);
    expect(order).toEqual(["a", "b", "c"]);
    expect(w.inFlight).toBe(100);
  });

  it("gives up after the timeout with nothing reserved, and lets the next one in", async () => {
    const w = new ProposalWindow(10);
    await w.acquire(10, 1000);
    expect(await w.acquire(5, 5)).toBe(false);
    expect(w.inFlight).toBe(10);
    const next = w.acquire(5, 1000);
    w.release(10);
    expect(await next).toBe(true);
    expect(w.inFlight).toBe(5);
  });

  it("admits every waiter when told to, so each can see the leadership change", async () => {
    const w = new ProposalWindow(10);
    await w.acquire(10, 1000);
    const waiting = [w.acquire(1, 60_000), w.acquire(2, 60_000)];
    w.admitAll();
    expect(await Promise.all(waiting)).toEqual([true, true]);
    expect(w.inFlight).toBe(13);
  });
});
