import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PartitionReplica } from "../../../data-node/src/partition/partition.ts";
import type { GroupStorage, StateMachine } from "../../../data-node/src/raft-runtime/group.ts";
import { type MessageBus, RaftRuntime } from "../../../data-node/src/raft-runtime/runtime.ts";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { GroupCommitter } from "../../../data-node/src/storage/group-committer.ts";
import { RaftTransport } from "../../../data-node/src/transport/raft-transport.ts";
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
        q.push({ group, payload: payload instanceof Uint8Array ? payload : Buffer.concat(payload.chunks) });
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

// The same, over real gRPC transports on loopback ports. A restarted node gets a new transport on
// its old port, as a restarted process would.
export class GrpcCluster {
  readonly dir = mkdtempSync(join(tmpdir(), "chronik-grpc-"));
  readonly runtimes = new Map<number, RaftRuntime>();
  readonly transports = new Map<number, RaftTransport>();
  private readonly ports = new Map<number, number>();

  constructor(readonly ids: number[]) {}

  async bootAll(): Promise<void> {
    for (const id of this.ids) await this.boot(id);
  }

  async boot(id: number): Promise<RaftRuntime> {
    let runtime!: RaftRuntime;
    const transport = new RaftTransport({
      nodeId: id,
      clusterId: "grpc-test",
      listen: { host: "127.0.0.1", port: this.ports.get(id) ?? 0 },
      peers: [],
      logger: silentLogger,
      onMessages: (from, batch) => runtime.deliver(from, batch),
      onStatus: (peer, status) => {
        if (status !== "connected") runtime.peerDown(peer);
      },
    });
    const { port } = await transport.start();
    this.ports.set(id, port);
    runtime = new RaftRuntime({
      nodeId: id,
      bus: transport,
      committer: new GroupCommitter(),
      tickMs: 20,
      timing: { electionTicks: 10, heartbeatTicks: 2, maxInflightMsgs: 64, maxSizePerMsg: 1 << 20 },
      logger: silentLogger,
    });
    this.runtimes.set(id, runtime);
    this.transports.set(id, transport);
    runtime.start();
    this.wirePeers();
    return runtime;
  }

  private wirePeers(): void {
    for (const [id, t] of this.transports) {
      t.setPeers(
        [...this.ports]
          .filter(([peer]) => peer !== id)
          .map(([peer, port]) => ({ id: peer, host: "127.0.0.1", port, source: `test peer ${peer}` })),
      );
    }
  }

  async openLog(id: number, group: string, recordBatches: boolean): Promise<DurableLog> {
    return DurableLog.open({ dir: join(this.dir, `node${id}`, group), recordBatches, segmentBytes: 1 << 20 });
  }

  // As SIGKILL: the process's runtime and sockets are gone.
  async crash(id: number): Promise<void> {
    await this.runtimes.get(id)?.stop();
    await this.transports.get(id)?.stop();
    this.runtimes.delete(id);
    this.transports.delete(id);
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.runtimes.keys()]) await this.crash(id);
  }
}

// Partition t/0 on node `id`: its log reopened from the node's dir, its replica driven by a raft group.
export async function startPartitionReplica(
  c: LocalCluster | GrpcCluster,
  id: number,
  campaign: boolean,
): Promise<PartitionReplica> {
  const log = await c.openLog(id, "t/0", true);
  const replica = new PartitionReplica("t", 0, log, silentLogger);
  replica.group = await c.runtimes
    .get(id)!
    .createGroup("t/0", log, replica, { voters: c.ids, learners: [] }, { campaign });
  return replica;
}
