import type { Entry } from "../raft/types.ts";

export interface Violation {
  kind:
    | "election-safety"
    | "log-matching"
    | "leader-completeness"
    | "state-machine-safety"
    | "commit-regressed"
    | "applied-regressed"
    | "linearizability"
    | "liveness"
    | "crash";
  group: number;
  detail: string;
}

const dec = new TextDecoder("latin1");

export function fingerprint(e: Entry): string {
  return `${e.term}/${e.type}/${dec.decode(e.data)}`;
}

/**
 * Cluster-wide records for one Raft group that the safety properties are checked against as
 * events happen (not only at the end), so the first violating step is the one reported.
 */
export class GroupRecord {
  /** term -> the node that became leader in it. */
  readonly leaders = new Map<number, number>();
  /** index -> fingerprint of the entry applied at that index (by anyone). */
  readonly applied = new Map<number, string>();
  /** index -> term of the applied entry. */
  readonly appliedTerm = new Map<number, number>();
  maxApplied = 0;
  /** "index/term" -> fingerprint and preceding term, for log matching. */
  private readonly logEntries = new Map<string, string>();
  elections = 0;

  constructor(
    readonly group: number,
    private readonly report: (v: Violation) => void,
  ) {}

  onLeader(term: number, node: number): void {
    this.elections++;
    const prev = this.leaders.get(term);
    if (prev !== undefined && prev !== node) {
      this.report({
        kind: "election-safety",
        group: this.group,
        detail: `term ${term}: leaders ${prev} and ${node}`,
      });
    }
    this.leaders.set(term, node);
  }

  /** Every index applied anywhere must be in the new leader's log with the same term. */
  checkLeaderCompleteness(node: number, termAt: (i: number) => number | undefined, firstIndex: number): void {
    for (const [i, t] of this.appliedTerm) {
      if (i < firstIndex - 1) continue;
      const lt = termAt(i);
      if (lt !== t) {
        this.report({
          kind: "leader-completeness",
          group: this.group,
          detail: `leader ${node} lacks committed entry ${i} (term ${t}, has ${lt})`,
        });
        return;
      }
    }
  }

  onPersistEntries(node: number, ents: Entry[], prevTerm: number | undefined): void {
    let pt = prevTerm;
    for (const e of ents) {
      const key = `${e.index}/${e.term}`;
      const val = `${fingerprint(e)}|${pt ?? "?"}`;
      const seen = this.logEntries.get(key);
      if (seen === undefined) {
        this.logEntries.set(key, val);
      } else if (seen !== val) {
        const a = seen.split("|");
        const b = val.split("|");
        const prevDiffers =
          a[a.length - 1] !== "?" && b[b.length - 1] !== "?" && a[a.length - 1] !== b[b.length - 1];
        if (a.slice(0, -1).join("|") !== b.slice(0, -1).join("|") || prevDiffers) {
          this.report({
            kind: "log-matching",
            group: this.group,
            detail: `node ${node} entry ${key}: ${val} vs ${seen}`,
          });
        }
      }
      pt = e.term;
    }
  }

  onApply(node: number, e: Entry): void {
    const fp = fingerprint(e);
    const seen = this.applied.get(e.index);
    if (seen === undefined) {
      this.applied.set(e.index, fp);
      this.appliedTerm.set(e.index, e.term);
      if (e.index > this.maxApplied) this.maxApplied = e.index;
    } else if (seen !== fp) {
      this.report({
        kind: "state-machine-safety",
        group: this.group,
        detail: `node ${node} applied ${fp} at ${e.index}, another node applied ${seen}`,
      });
    }
  }
}
