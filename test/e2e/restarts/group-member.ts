import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { LineProcess } from "../clients/support/proc.ts";
import { python } from "../clients/support/python.ts";

export interface ClientError {
  code: string;
  fatal: boolean;
  retriable: boolean;
  err: string;
}

type Event =
  | { ev: "assigned" | "revoked"; partitions: number[] }
  | { ev: "records"; records: [number, number, number][]; lost_commit: string | null }
  | ({ ev: "error" } & ClientError)
  | { ev: "requeried"; partitions: number[] }
  | { ev: "closed" };

// One member of the restart tests' consumer group (group_member.py), recording what it was given.
export class GroupMember {
  // [partition, offset, message id] in delivery order.
  readonly received: [number, number, number][] = [];
  readonly errors: ClientError[] = [];
  // Records whose commit was lost to a rebalance: the only ones the group may deliver twice.
  lostCommitRecords = 0;
  // Times the member re-assigned its partitions to work around librdkafka#5586 (see group_member.py).
  requeried = 0;
  assignment: number[] | undefined;
  private readonly proc: LineProcess;

  constructor(
    readonly name: string,
    cfg: { bootstrap: string; topic: string; group: string; debug?: string },
    logFile: string,
  ) {
    this.proc = new LineProcess(
      name,
      python,
      [join(import.meta.dirname, "group_member.py"), JSON.stringify({ ...cfg, name })],
      (line) => this.onEvent(JSON.parse(line) as Event),
      { PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1" },
    );
    // The client's own log (librdkafka, with cfg.debug contexts), kept for a failing run.
    this.proc.child.stderr?.pipe(createWriteStream(logFile));
  }

  private onEvent(e: Event): void {
    if (e.ev === "assigned") this.assignment = e.partitions;
    else if (e.ev === "revoked") this.assignment = [];
    else if (e.ev === "records") {
      this.received.push(...e.records);
      if (e.lost_commit) this.lostCommitRecords += e.records.length;
    } else if (e.ev === "error") this.errors.push(e);
    else if (e.ev === "requeried") this.requeried++;
  }

  async stop(): Promise<void> {
    this.proc.write("stop\n");
    const exit = await this.proc.stop(null);
    if (exit.forced || exit.code !== 0)
      throw new Error(
        `member ${this.name} did not close cleanly (${JSON.stringify(exit)}): ${this.proc.tail()}`,
      );
  }

  kill(): void {
    if (this.proc.running) this.proc.child.kill("SIGKILL");
  }
}
