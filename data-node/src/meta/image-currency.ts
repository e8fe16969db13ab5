import { abortableWait } from "./backoff.ts";

// Whether this node's __meta image may be served to Kafka clients as the cluster's truth. It may once
// this incarnation is registered, has caught up to its registration and is unfenced, and only while
// the __meta leader keeps answering it: a node cut off for longer than the session timeout has been
// fenced by the others and its image may miss any change since (KRaft brokers serve nothing before
// their initial catch-up for the same reason). A short leader election does not make the image stale.

export type CurrencyInputs = {
  // Readiness conditions: registered, caught up to the registration, unfenced in the image.
  registered: () => boolean;
  caughtUp: () => boolean;
  unfenced: () => boolean;
  isMetaLeader: () => boolean;
  sessionTimeoutMs: number;
  now: () => number;
};

export class ImageCurrency {
  private lastLeaderContact = Number.NEGATIVE_INFINITY;
  private waiters: (() => void)[] = [];

  constructor(private readonly inputs: CurrencyInputs) {}

  // A reply from the __meta leader (or this node leading): the image is as fresh as the leader's.
  noteLeaderContact(): void {
    this.lastLeaderContact = this.inputs.now();
    this.changed();
  }

  // Why the image is not current, or undefined when it is.
  staleReason(): string | undefined {
    const i = this.inputs;
    if (!i.registered()) return "not registered with the __meta leader yet";
    if (!i.caughtUp()) return "metadata not caught up to this node's registration";
    if (!i.unfenced()) return "this broker is fenced";
    if (!i.isMetaLeader() && i.now() - this.lastLeaderContact > i.sessionTimeoutMs)
      return "no answer from the __meta leader within the session timeout";
    return undefined;
  }

  isCurrent(): boolean {
    return this.staleReason() === undefined;
  }

  // Call when an input may have changed (readiness, leadership), so waiters re-check.
  changed(): void {
    if (this.waiters.length === 0 || !this.isCurrent()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  // Resolves once current; rejects with AbortedError when the signal fires first.
  whenCurrent(signal?: AbortSignal): Promise<void> {
    if (this.isCurrent()) return Promise.resolve();
    return abortableWait(signal, (wake) => {
      this.waiters.push(wake);
      return () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
      };
    });
  }
}
