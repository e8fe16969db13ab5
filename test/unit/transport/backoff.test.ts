import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BackoffPolicy, backoffDelay } from "../../../data-node/src/transport/backoff.ts";

const policy: BackoffPolicy = { baseMs: 100, maxMs: 5000, jitter: 0.5 };

describe("reconnect backoff", () => {
  it("doubles from the base and stops at the cap when jitter draws zero", () => {
    const delays = Array.from({ length: 10 }, (_, a) => backoffDelay(policy, a, () => 0));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000]);
  });

  it("jitter shortens a delay by at most the jitter fraction", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (a, r) => {
          const full = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(a, 30));
          const d = backoffDelay(policy, a, () => r);
          expect(d).toBeGreaterThanOrEqual(Math.floor(full / 2));
          expect(d).toBeLessThanOrEqual(full);
        },
      ),
    );
  });

  it("spreads peers that retry at the same attempt", () => {
    const seen = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffDelay(policy, 4, () => r)));
    expect(seen.size).toBe(4);
  });

  it("stays finite for very large attempt counts", () => {
    expect(backoffDelay(policy, 1e9, () => 0)).toBe(5000);
  });
});
