import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GroupStorage, StateMachine } from "../../../data-node/src/raft-runtime/group.ts";
import { type MessageBus, RaftRuntime } from "../../../data-node/src/raft-runtime/runtime.ts";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { GroupCommitter } from "../../../data-node/src/storage/group-committer.ts";
import { silentLogger } from "../../../shared/log.ts";

// Several runtimes in one process, wired by a loopback bus that delivers on the next turn of the
// event loop (as a socket would), over real DurableLogs with fsync.
export class LocalCluster {
  readonly dir = mkdtempSync(join(tmpdir(), "chronik-runtime-"));
  readonly runtimes = new Map<number, RaftRuntime>();
  private readonly down = new Set<number>();

  constructor(readonly ids: number[]) {
    for (const id of ids) this.boot(id);
  }

  boot(id: number): RaftRuntime {
    const queues = new Map<number, { group: string; payload: Uint8Array }[]>();
    const bus: MessageBus = {
      send: (to, group, payload) => {
        const q = queues.get(to) ?? [];
        q.push({ group, payload });
        queues.set(to, q);
      },
      flush: () => {
        for (const [to, batch] of queues) {
          queues.delete(to);
          setImmediate(() => {
            if (this.down.has(to) || this.down.has(id)) return;
            this.runtimes.get(to)?.deliver(id, batch);
          });
        }
      },
    };
    const rt = new RaftRuntime({
      nodeId: id,
      bus,
      committer: new GroupCommitter(),
      tickMs: 20,
      timing: { electionTicks: 10, heartbeatTicks: 2, maxInflightMsgs: 64, maxSizePerMsg: 1 << 20 },
      logger: silentLogger,
    });
    this.runtimes.set(id, rt);
    this.down.delete(id);
    rt.start();
    return rt;
  }

  async openLog(id: number, group: string, recordBatches: boolean): Promise<GroupStorage & DurableLog> {
    return DurableLog.open({ dir: join(this.dir, `node${id}`, group), recordBatches, segmentBytes: 1 << 20 });
  }

  async addGroup(id: number, group: string, sm: StateMachine, recordBatches: boolean, campaign = false) {
    const log = await this.openLog(id, group, recordBatches);
    const g = await this.runtimes
      .get(id)!
      .createGroup(group, log, sm, { voters: this.ids, learners: [] }, { campaign });
    return { log, group: g };
  }

  // As a SIGKILL looks to the others: the process is gone and their transports see the link drop.
  async crash(id: number): Promise<void> {
    this.down.add(id);
    await this.runtimes.get(id)?.stop();
    this.runtimes.delete(id);
    for (const rt of this.runtimes.values()) rt.peerDown(id);
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.runtimes.keys()]) await this.crash(id);
  }
}
