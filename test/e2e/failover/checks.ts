import type { Ack, PartitionContents } from "./clients.ts";

// Pure checks over what the producer was told and what a reader finds in the log.

export interface AckedCheck {
  // Acknowledged messages absent from their partition.
  missing: Ack[];
  // Acknowledged at an offset that holds another message (or none).
  misplaced: { ack: Ack; found: number | undefined }[];
}

export function checkAcknowledged(acks: Ack[], contents: PartitionContents): AckedCheck {
  const byOffset = new Map<number, Map<number, number>>();
  const present = new Map<number, Set<number>>();
  for (const [p, recs] of Object.entries(contents.records)) {
    byOffset.set(Number(p), new Map(recs.map(([o, id]) => [o, id])));
    present.set(Number(p), new Set(recs.map(([, id]) => id)));
  }
  const missing: Ack[] = [];
  const misplaced: AckedCheck["misplaced"] = [];
  for (const a of acks) {
    if (!present.get(a.p)?.has(a.id)) missing.push(a);
    const found = byOffset.get(a.p)?.get(a.o);
    if (found !== a.id) misplaced.push({ ack: a, found });
  }
  return { missing, misplaced };
}

export interface OrderCheck {
  // Message ids stored more than once, with all their offsets.
  duplicates: { p: number; id: number; offsets: number[] }[];
  // Places where a lower id follows a higher one in offset order.
  reordered: { p: number; offset: number; id: number; previousId: number }[];
}

// Ids were produced in increasing order per partition, so an idempotent producer's log is strictly
// increasing in id along offsets.
export function checkOrderAndUniqueness(contents: PartitionContents): OrderCheck {
  const duplicates: OrderCheck["duplicates"] = [];
  const reordered: OrderCheck["reordered"] = [];
  for (const [key, recs] of Object.entries(contents.records)) {
    const p = Number(key);
    const offsets = new Map<number, number[]>();
    let previousId = -1;
    for (const [o, id] of recs) {
      offsets.set(id, [...(offsets.get(id) ?? []), o]);
      if (id <= previousId && (offsets.get(id)?.length ?? 0) === 1)
        reordered.push({ p, offset: o, id, previousId });
      previousId = Math.max(previousId, id);
    }
    for (const [id, os] of offsets) if (os.length > 1) duplicates.push({ p, id, offsets: os });
  }
  return { duplicates, reordered };
}

export interface Failover {
  killed: number;
  partition: number;
  killedAt: number;
  // Wall-clock ms from the kill to the first acknowledgement for the partition by a new leader.
  firstAckMs: number | undefined;
  // Acknowledgements within the straggler window: responses the dead leader had sent already.
  stragglers: number;
  // Ms from the kill to the last of them.
  lastStragglerMs: number | undefined;
}

// No new leader can exist this soon: followers wait at least the minimum election timeout (1 s)
// after the last heartbeat (at most 200 ms before the kill) before PreVote.
const stragglerWindowMs = 200;

export function measureFailover(acks: Ack[], partition: number, killed: number, killedAt: number): Failover {
  const after = acks.filter((a) => a.p === partition && a.t > killedAt);
  const early = after.filter((a) => a.t <= killedAt + stragglerWindowMs).map((a) => a.t);
  const first = after
    .filter((a) => a.t > killedAt + stragglerWindowMs)
    .reduce<number | undefined>((m, a) => (m === undefined || a.t < m ? a.t : m), undefined);
  return {
    killed,
    partition,
    killedAt,
    firstAckMs: first === undefined ? undefined : Math.round(first - killedAt),
    stragglers: early.length,
    lastStragglerMs: early.length === 0 ? undefined : Math.round(Math.max(...early) - killedAt),
  };
}
