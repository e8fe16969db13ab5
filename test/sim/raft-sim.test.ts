import { describe, expect, it } from "vitest";
import { simCommand } from "../../data-node/src/raft-sim/cli.ts";
import { runSeed, shrink } from "../../data-node/src/raft-sim/run-seed.ts";

describe("raft simulator", () => {
  it("finds no violation over 300 seeds with faults (3 nodes)", () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 300; seed++) {
      const r = runSeed({ seed, nodes: 3, groups: 1, faults: true });
      if (!r.ok) failures.push(`seed ${seed}: ${r.violations[0].kind} ${r.violations[0].detail}`);
      expect(r.commits).toBeGreaterThan(0);
    }
    expect(failures).toEqual([]);
  });

  it("finds no violation over 40 seeds with faults (5 nodes, 3 groups)", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = runSeed({ seed, nodes: 5, groups: 3, faults: true });
      expect(r.violations, `seed ${seed}`).toEqual([]);
    }
  });

  it("is deterministic: the same seed gives the same run", () => {
    const a = runSeed({ seed: 42, nodes: 3, groups: 2, faults: true });
    const b = runSeed({ seed: 42, nodes: 3, groups: 2, faults: true });
    expect([b.elections, b.commits, b.trace]).toEqual([a.elections, a.commits, a.trace]);
  });

  it("catches a deliberately broken core (votes granted without the log check) within 1,000 seeds", () => {
    const opts = { nodes: 3 as const, groups: 1, faults: true, unsafe: { skipVoteLogCheck: true } };
    let caught: number | undefined;
    for (let seed = 1; seed <= 1000 && caught === undefined; seed++) {
      if (!runSeed({ seed, ...opts }).ok) caught = seed;
    }
    expect(caught).toBeDefined();
    // Shrinking keeps it failing with fewer faults, and replaying the shrunk run fails the same way.
    const failing = runSeed({ seed: caught!, ...opts });
    const { result, skipped } = shrink({ seed: caught!, ...opts }, failing);
    expect(result.ok).toBe(false);
    expect(result.violations[0].kind).toBe(failing.violations[0].kind);
    expect(runSeed({ seed: caught!, ...opts, skipFaults: skipped }).violations[0].kind).toBe(
      result.violations[0].kind,
    );
  });

  it("elects exactly once per group in 10 minutes of fault-free virtual time", () => {
    const r = runSeed({ seed: 7, nodes: 3, groups: 2, faults: false, virtualMs: 600_000 });
    expect(r.violations).toEqual([]);
    expect(r.elections).toBe(2);
  });

  it("chronik sim prints the summary line last and exits non-zero only on violations", async () => {
    const lines: string[] = [];
    expect(await simCommand(["--seeds", "5", "--start", "10"], (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toMatch(/^seeds=5 violations=0 elections=\d+ commits=\d+$/);
    expect(await simCommand(["--seeds", "x"], (l) => lines.push(l))).toBe(2);
  });
});
