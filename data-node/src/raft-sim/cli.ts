import { runSeed, shrink } from "./run-seed.ts";

function usage(): string {
  return "usage: chronik sim --seeds N [--start S] [--nodes 3|5] [--groups G] [--virtual-ms MS] [--no-faults]";
}

function parse(argv: string[]): {
  seeds: number;
  start: number;
  nodes: 3 | 5;
  groups: number;
  virtualMs?: number;
  faults: boolean;
} {
  const out = {
    seeds: 100,
    start: 1,
    nodes: 3 as 3 | 5,
    groups: 1,
    virtualMs: undefined as number | undefined,
    faults: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    switch (a) {
      case "--seeds":
        out.seeds = num();
        break;
      case "--start":
        out.start = num();
        break;
      case "--nodes": {
        const n = num();
        if (n !== 3 && n !== 5) throw new Error("--nodes must be 3 or 5");
        out.nodes = n;
        break;
      }
      case "--groups":
        out.groups = Math.max(1, num());
        break;
      case "--virtual-ms":
        out.virtualMs = num();
        break;
      case "--no-faults":
        out.faults = false;
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  return out;
}

/**
 * `chronik sim`: run the deterministic Raft simulator over a range of seeds. Prints each failing seed
 * with a shrunk trace, then one summary line last; resolves to a non-zero exit code on any violation.
 */
export async function simCommand(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    out(`${(e as Error).message}\n${usage()}`);
    return 2;
  }
  let violations = 0;
  let elections = 0;
  let commits = 0;
  for (let s = args.start; s < args.start + args.seeds; s++) {
    const opts = {
      seed: s,
      nodes: args.nodes,
      groups: args.groups,
      faults: args.faults,
      virtualMs: args.virtualMs,
    };
    const r = runSeed(opts);
    elections += r.elections;
    commits += r.commits;
    if (r.ok) continue;
    violations += r.violations.length;
    const { result, skipped } = shrink(opts, r);
    const v = result.violations[0];
    out(`seed=${s} violation=${v.kind} group=${v.group}: ${v.detail}`);
    out(`reproduce: runSeed(${JSON.stringify(opts)}) skipping fault actions [${[...skipped].join(",")}]`);
    for (const line of result.trace) out(`  ${line}`);
    // Yield so a long run stays interruptible.
    await new Promise((r2) => setImmediate(r2));
  }
  out(`seeds=${args.seeds} violations=${violations} elections=${elections} commits=${commits}`);
  return violations === 0 ? 0 : 1;
}
