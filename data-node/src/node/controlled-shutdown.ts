import type { Logger } from "../../../shared/log.ts";
import type { RaftGroup } from "../raft-runtime/group.ts";
import type { MetaService } from "./meta-service.ts";

export type ControlledShutdownDeps = {
  nodeId: number;
  // -1 before this incarnation registered.
  brokerEpoch: number;
  meta: MetaService;
  metaGroup: RaftGroup;
  // Every partition group on this node.
  partitionGroups: () => Iterable<RaftGroup>;
  timeoutMs: number;
  logger: Logger;
};

const POLL_MS = 20;
const ASK_AGAIN_MS = 500;

// A led group hands over to the voter with the most of its log (Raft brings it up to date first).
function handOff(g: RaftGroup): void {
  const s = g.status();
  if (s.role !== "leader") return;
  let best: { id: number; match: number } | undefined;
  for (const [id, p] of s.progress ?? []) {
    if (id === s.id || p.isLearner) continue;
    if (!best || p.match > best.match) best = { id, match: p.match };
  }
  if (best) g.transferLeader(best.id);
}

// Waits (polling, bounded by the deadline) until done() holds, nudging with step() each round.
async function until(done: () => boolean, step: () => void, deadline: number): Promise<boolean> {
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    step();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

// SIGTERM (Kafka's controlled shutdown): mark the broker shutting down in __meta, move every partition
// leadership (group coordinators included: they follow __consumer_offsets) to another replica, wait
// until __meta shows this node leading nothing and fences it at its own request, then hand __meta
// leadership over. Each step is bounded by one deadline; past it the node stops anyway (its partitions
// then elect as after a crash).
export async function runControlledShutdown(d: ControlledShutdownDeps): Promise<void> {
  const started = Date.now();
  const deadline = started + d.timeoutMs;
  const image = d.meta.state.image;
  const log = d.logger;
  const ask = () =>
    d.meta.request(
      { kind: "controlled_shutdown", nodeId: d.nodeId, brokerEpoch: d.brokerEpoch },
      Math.max(1, deadline - Date.now()),
    );
  if (d.brokerEpoch >= 0) {
    log.info("controlled shutdown: asking the __meta leader to mark this broker shutting down");
    const reply = await ask();
    if (reply.ok)
      log.info({ movable: reply.movable?.length ?? 0 }, "controlled shutdown: broker shutting down");
    else
      log.warn(
        { error: reply.error, message: reply.message },
        "controlled shutdown refused; stopping anyway",
      );
  }
  const ledGroups = () => [...d.partitionGroups()].filter((g) => g.status().role === "leader");
  const namedLeader = () => image.topics().some((t) => t.partitions.some((p) => p.leader === d.nodeId));
  const groups = ledGroups().length;
  if (groups > 0) log.info({ groups }, "controlled shutdown: waiting for partition leaderships to move");
  // A leadership report applied after the leader planned the shutdown can name this node again; asking
  // again (at most every ASK_AGAIN_MS) lets the leader take it off what nobody else can lead.
  let askedAt = Date.now();
  const moved = await until(
    () => !namedLeader() && ledGroups().every((g) => g.status().confState.voters.length === 1),
    () => {
      for (const g of ledGroups()) handOff(g);
      if (d.brokerEpoch >= 0 && namedLeader() && Date.now() - askedAt >= ASK_AGAIN_MS) {
        askedAt = Date.now();
        void ask();
      }
    },
    deadline,
  );
  const fenced = () => d.brokerEpoch < 0 || image.broker(d.nodeId)?.state !== "shutting_down";
  if (moved && !fenced()) {
    log.info("controlled shutdown: waiting for the __meta leader to let this broker go");
    // Ask now rather than at the next periodic heartbeat: this one gets the broker fenced.
    void d.meta.request(
      {
        kind: "heartbeat",
        heartbeat: {
          nodeId: d.nodeId,
          brokerEpoch: d.brokerEpoch,
          appliedIndex: d.meta.state.applied.current,
          wantShutDown: true,
        },
      },
      Math.max(1, deadline - Date.now()),
    );
    await until(fenced, () => undefined, deadline);
  }
  // __meta leadership last: the steps above needed a leader, and a local one answers fastest. A lone
  // voter has nobody to hand it to.
  await until(
    () => d.metaGroup.status().role !== "leader" || d.metaGroup.status().confState.voters.length === 1,
    () => handOff(d.metaGroup),
    Math.min(deadline, Date.now() + 3000),
  );
  log.info(
    {
      ms: Date.now() - started,
      leaderships_moved: moved,
      still_leading: ledGroups().length,
      broker_state: image.broker(d.nodeId)?.state ?? null,
    },
    "controlled shutdown done",
  );
}
