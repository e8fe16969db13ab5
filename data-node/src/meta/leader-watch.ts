import { abortableWait } from "./backoff.ts";

// Who leads __meta, as this node last heard from its Raft group, and a way to await the next change.
// 0 and undefined both mean "no leader": Raft uses 0 for "none", and nothing may ever address node 0.

export class LeaderWatch {
  private leader: number | undefined;
  private waiters: (() => void)[] = [];

  get(): number | undefined {
    return this.leader;
  }

  set(leaderId: number | undefined): void {
    const next = leaderId === 0 ? undefined : leaderId;
    if (next === this.leader) return;
    this.leader = next;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  waitForChange(signal?: AbortSignal): Promise<void> {
    return abortableWait(signal, (wake) => {
      this.waiters.push(wake);
      return () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
      };
    });
  }
}
