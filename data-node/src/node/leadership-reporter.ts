import type { Logger } from "../../../shared/log.ts";
import type { PartitionChange } from "../meta/records.ts";
import type { MetaService } from "./meta-service.ts";

// Partition leaders tell __meta they lead, so Metadata sends clients to them. Reports are batched:
// those made while a request is out go together in the next one, as one __meta entry. A node taking
// over a thousand partitions at once (a restart, a failover) then costs a few entries, not a thousand.
export class LeadershipReporter {
  private readonly pending = new Map<string, PartitionChange>();
  private sending = false;
  private scheduled = false;

  constructor(
    private readonly meta: MetaService,
    private readonly logger: Logger,
  ) {}

  report(change: PartitionChange): void {
    // A later report of the same partition supersedes an unsent one.
    this.pending.set(`${change.topic}/${change.partition}`, change);
    // One flush per turn however many partitions report in it; one in flight picks them up after.
    if (this.sending || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.sending || this.pending.size === 0) return;
    this.sending = true;
    const changes = [...this.pending.values()];
    this.pending.clear();
    try {
      const reply = await this.meta.request({ kind: "partition_changes", changes });
      if (!reply.ok) {
        this.logger.info(
          { partitions: changes.length, reply },
          "leadership reports not taken; will report again",
        );
      } else if (reply.refused?.length) {
        this.logger.info(
          { refused: reply.refused.slice(0, 20), count: reply.refused.length },
          "leadership reports refused",
        );
      }
    } finally {
      this.sending = false;
      if (this.pending.size > 0) void this.flush();
    }
  }
}
