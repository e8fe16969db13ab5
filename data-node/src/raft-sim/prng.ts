import type { RandomSource } from "../raft/config.ts";

/** Small deterministic PRNG (mulberry32); every stream derives from the run's seed. */
export class Prng implements RandomSource {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.nextInt(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.nextInt(xs.length)];
  }

  /** An independent stream, so adding draws here does not shift draws there. */
  fork(): Prng {
    return new Prng(Math.floor(this.next() * 4294967296) ^ 0x9e3779b9);
  }
}
