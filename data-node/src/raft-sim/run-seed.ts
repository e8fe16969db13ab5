import { type SimOptions, Simulation } from "./cluster.ts";
import type { Violation } from "./invariants.ts";

export interface SeedResult {
  seed: number;
  ok: boolean;
  violations: Violation[];
  elections: number;
  commits: number;
  /** The last trace lines before the end of the run (or the first violation). */
  trace: string[];
  /** Number of scheduled fault actions. */
  faults: number;
}

export interface RunSeedOptions {
  seed: number;
  nodes: 3 | 5;
  groups: number;
  faults: boolean;
  virtualMs?: number;
  skipFaults?: ReadonlySet<number>;
  /** Test-only: a deliberately broken core, to prove the checks catch it. */
  unsafe?: { skipVoteLogCheck?: boolean };
}

export const DEFAULT_VIRTUAL_MS = 10_000;

/** Run one deterministic simulation: the same options always give the same result. */
export function runSeed(opts: RunSeedOptions): SeedResult {
  const so: SimOptions = {
    seed: opts.seed,
    nodes: opts.nodes,
    groups: opts.groups,
    faults: opts.faults,
    virtualMs: opts.virtualMs ?? DEFAULT_VIRTUAL_MS,
    skipFaults: opts.skipFaults,
    unsafe: opts.unsafe,
  };
  const sim = new Simulation(so);
  sim.run();
  const st = sim.stats();
  return {
    seed: opts.seed,
    ok: sim.violations.length === 0,
    violations: sim.violations,
    elections: st.elections,
    commits: st.commits,
    trace: sim.trace.slice(-60),
    faults: sim.schedule.length,
  };
}

/**
 * Shrink a failing run by leaving out fault actions one at a time while it still fails with the
 * same kind of violation. Returns the smallest failing result found and the faults left out.
 */
export function shrink(
  opts: RunSeedOptions,
  failing: SeedResult,
): { result: SeedResult; skipped: Set<number> } {
  const kind = failing.violations[0]?.kind;
  const skipped = new Set<number>();
  let best = failing;
  for (let i = failing.faults - 1; i >= 0; i--) {
    const trial = new Set(skipped);
    trial.add(i);
    const r = runSeed({ ...opts, skipFaults: trial });
    if (!r.ok && r.violations[0].kind === kind) {
      skipped.add(i);
      best = r;
    }
  }
  return { result: best, skipped };
}
