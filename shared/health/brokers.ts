import { z } from "zod";
import { brokerState, listenerSchema, type RegistrySnapshot } from "../registry/snapshot.ts";
import { isBrokerAlive, metaLeaderOf } from "./evaluate.ts";

// The operator's view of a broker (GET /brokers on data nodes and the control plane): its registration
// plus what the health rules derive from the snapshot.

export const brokerViewSchema = z.object({
  id: z.number().int(),
  listeners: z.array(listenerSchema),
  raft_address: z.string(),
  rack: z.string().nullable(),
  version: z.string(),
  state: brokerState,
  alive: z.boolean(),
  broker_epoch: z.number().int(),
  incarnation_id: z.string(),
  registered_at: z.number().int(),
  last_heartbeat_at: z.number().int().nullable(),
  // Measured at the snapshot's observed_at (the publisher's clock), as in the health report.
  last_heartbeat_age_ms: z.number().int().nullable(),
  is_meta_leader: z.boolean(),
  is_voter: z.boolean(),
  partitions: z.object({
    led: z.number().int(),
    replicated: z.number().int(),
    under_replicated: z.number().int(),
  }),
});
export type BrokerView = z.infer<typeof brokerViewSchema>;

// Views of every registered broker, ordered by id. `partitions.under_replicated` counts the
// under-replicated partitions this broker leads (where it is responsible for catching followers up).
export function brokerViews(snapshot: RegistrySnapshot): BrokerView[] {
  const leaderId = metaLeaderOf(snapshot);
  const voters = new Set(snapshot.meta.voters);
  const led = new Map<number, number>();
  const replicated = new Map<number, number>();
  const underReplicated = new Map<number, number>();
  const bump = (m: Map<number, number>, id: number) => m.set(id, (m.get(id) ?? 0) + 1);
  for (const topic of snapshot.topics) {
    for (const p of topic.partitions) {
      for (const r of new Set(p.replicas)) bump(replicated, r);
      if (p.leader === null || p.leader === 0) continue;
      bump(led, p.leader);
      if (new Set(p.isr).size < new Set(p.replicas).size) bump(underReplicated, p.leader);
    }
  }
  return [...snapshot.brokers]
    .sort((a, b) => a.id - b.id)
    .map((b) => ({
      id: b.id,
      listeners: b.listeners,
      raft_address: b.raft_address,
      rack: b.rack,
      version: b.version,
      state: b.state,
      alive: isBrokerAlive(b, snapshot),
      broker_epoch: b.epoch,
      incarnation_id: b.incarnation_id,
      registered_at: b.registered_at,
      last_heartbeat_at: b.last_heartbeat_at,
      last_heartbeat_age_ms:
        b.last_heartbeat_at === null ? null : Math.max(0, snapshot.observed_at - b.last_heartbeat_at),
      is_meta_leader: b.id === leaderId,
      is_voter: voters.has(b.id),
      partitions: {
        led: led.get(b.id) ?? 0,
        replicated: replicated.get(b.id) ?? 0,
        under_replicated: underReplicated.get(b.id) ?? 0,
      },
    }));
}
