import type { Logger } from "../../../shared/log.ts";
import { abortableWait } from "./backoff.ts";

// Named readiness conditions for /health/ready. Ready means every condition holds; until then the node
// reports which ones it is waiting for, and logs each change so a slow start explains itself.

export const NODE_READINESS_CONDITIONS = [
  "meta_leader_known",
  "registered",
  "metadata_caught_up",
  "unfenced",
  "kafka_listener_bound",
] as const;

export type ReadinessStatus = { ready: boolean; waiting_for: string[] };

export class Readiness {
  private readonly met = new Map<string, boolean>();
  private waiters: (() => void)[] = [];
  private readonly listeners: (() => void)[] = [];

  constructor(
    conditions: readonly string[],
    private readonly logger: Logger,
  ) {
    if (conditions.length === 0) throw new Error("readiness needs at least one condition");
    for (const c of conditions) this.met.set(c, false);
  }

  set(condition: string, value: boolean): void {
    const was = this.met.get(condition);
    if (was === undefined) throw new Error(`unknown readiness condition "${condition}"`);
    if (was === value) return;
    this.met.set(condition, value);
    const { ready, waiting_for } = this.status();
    if (value) {
      this.logger.info({ condition, waiting_for }, ready ? "ready" : `readiness: ${condition}`);
    } else {
      this.logger.info({ condition, waiting_for }, `readiness lost: ${condition}`);
    }
    for (const l of this.listeners) l();
    if (ready) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  // Called after every change of any condition.
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  isMet(condition: string): boolean {
    return this.met.get(condition) === true;
  }

  status(): ReadinessStatus {
    const waiting_for = [...this.met].filter(([, v]) => !v).map(([k]) => k);
    return { ready: waiting_for.length === 0, waiting_for };
  }

  whenReady(signal?: AbortSignal): Promise<void> {
    if (this.status().ready) return Promise.resolve();
    return abortableWait(signal, (wake) => {
      this.waiters.push(wake);
      return () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
      };
    });
  }
}
