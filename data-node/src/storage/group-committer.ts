import { type Logger, silentLogger } from "../../../shared/log.ts";

// What the committer needs from a log (DurableLog implements it).
export interface SyncableLog {
  readonly writeGeneration: number;
  readonly syncedGeneration: number;
  sync(): Promise<void>;
}

interface Waiter {
  generation: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

// Batches fsyncs across all logs of a node. commit(log) resolves once everything appended to that log
// before the call is durable. One flush cycle syncs every log registered since the previous cycle
// started, all in parallel; callers arriving mid-cycle ride the next one. Under load many appends share
// each fsync; at low load a commit costs about one fsync latency.
export class GroupCommitter {
  private pending = new Map<SyncableLog, Waiter[]>();
  private running = false;
  cycles = 0;

  constructor(private readonly logger: Logger = silentLogger) {}

  commit(log: SyncableLog): Promise<void> {
    const generation = log.writeGeneration;
    if (log.syncedGeneration >= generation) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.enqueue(log, { generation, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let every commit issued in this turn of the event loop join the first cycle.
        setImmediate(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = this.pending;
        this.pending = new Map();
        this.cycles++;
        await Promise.all([...batch].map(([log, waiters]) => this.flush(log, waiters)));
      }
    } finally {
      this.running = false;
    }
  }

  private async flush(log: SyncableLog, waiters: Waiter[]): Promise<void> {
    try {
      await log.sync();
    } catch (err) {
      this.logger.error({ err }, "group commit: log sync failed");
      for (const w of waiters) w.reject(err);
      return;
    }
    for (const w of waiters) {
      if (log.syncedGeneration >= w.generation) w.resolve();
      // Only possible if a log's sync resolved short of a waiter's write: wait for another cycle.
      else this.enqueue(log, w);
    }
  }

  private enqueue(log: SyncableLog, w: Waiter): void {
    const waiters = this.pending.get(log);
    if (waiters) waiters.push(w);
    else this.pending.set(log, [w]);
  }
}
