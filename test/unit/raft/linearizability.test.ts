import { describe, expect, it } from "vitest";
import { checkRegister, type HistoryOp } from "../../../data-node/src/raft-sim/linearizability.ts";

const put = (call: number, ret: number, value: string): HistoryOp => ({
  call,
  ret,
  op: { kind: "put", key: "k", value },
  result: ret === Infinity ? undefined : "ok",
});
const get = (call: number, ret: number, result: string | null): HistoryOp => ({
  call,
  ret,
  op: { kind: "get", key: "k" },
  result,
});
const cas = (
  call: number,
  ret: number,
  expect: string | null,
  value: string,
  result?: string,
): HistoryOp => ({ call, ret, op: { kind: "cas", key: "k", expect, value }, result });

describe("linearizability checker", () => {
  it("accepts sequential and concurrent-but-explainable histories", () => {
    expect(checkRegister([put(0, 1, "a"), get(2, 3, "a")])).toBe(true);
    expect(checkRegister([put(0, 10, "a"), get(1, 2, null), get(3, 4, "a")])).toBe(true);
    expect(checkRegister([put(0, 5, "a"), put(1, 6, "b"), get(7, 8, "a")])).toBe(true);
    expect(checkRegister([cas(0, 1, null, "a", "ok"), cas(2, 3, null, "b", "fail"), get(4, 5, "a")])).toBe(
      true,
    );
  });

  it("rejects stale reads and impossible results", () => {
    expect(checkRegister([put(0, 1, "a"), get(2, 3, null)])).toBe(false);
    expect(checkRegister([put(0, 1, "a"), put(2, 3, "b"), get(4, 5, "a")])).toBe(false);
    expect(checkRegister([put(0, 1, "a"), cas(2, 3, "a", "b", "fail")])).toBe(false);
    expect(checkRegister([put(0, 10, "a"), get(1, 2, "a"), get(3, 4, null)])).toBe(false);
  });

  it("lets an operation with unknown outcome take effect late or never", () => {
    expect(checkRegister([put(0, Infinity, "a"), get(5, 6, null)])).toBe(true);
    expect(checkRegister([put(0, Infinity, "a"), get(5, 6, null), get(7, 8, "a")])).toBe(true);
    expect(checkRegister([put(0, Infinity, "a"), get(5, 6, "a"), get(7, 8, null)])).toBe(false);
  });
});
